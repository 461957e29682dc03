{{/* Names, labels, the image reference and the Kafka client environment, shared by templates. */}}

{{- define "distillguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "distillguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "distillguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "distillguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "distillguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "distillguard.labels" -}}
helm.sh/chart: {{ include "distillguard.chart" . }}
{{ include "distillguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: distillguard
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The image, by digest when one is given; the tag defaults to the chart's appVersion. */}}
{{- define "distillguard.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag | toString }}
{{- if eq $tag "latest" }}
{{- fail "image.tag must not be \"latest\": pin a version (default: the chart's appVersion)" }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "distillguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "distillguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding Kafka credentials and TLS material: the user's, or the chart's own. */}}
{{- define "distillguard.kafkaSecretName" -}}
{{- if .Values.kafka.existingSecret }}
{{- .Values.kafka.existingSecret }}
{{- else if .hookSecret }}
{{- printf "%s-kafka-hook" (include "distillguard.fullname" .) }}
{{- else }}
{{- printf "%s-kafka" (include "distillguard.fullname" .) }}
{{- end }}
{{- end }}

{{- define "distillguard.kafkaUsesSasl" -}}
{{- if eq .Values.kafka.securityProtocol "SASL_SSL" }}true{{- end }}
{{- end }}

{{- define "distillguard.kafkaUsesTls" -}}
{{- if or (eq .Values.kafka.securityProtocol "SSL") (eq .Values.kafka.securityProtocol "SASL_SSL") }}true{{- end }}
{{- end }}

{{/* Does the chart render its own Secret? Only when there is something to put in it. */}}
{{- define "distillguard.kafkaRendersSecret" -}}
{{- if not .Values.kafka.existingSecret }}
{{- if or (include "distillguard.kafkaUsesSasl" .) (and (include "distillguard.kafkaUsesTls" .) (or .Values.kafka.tls.caCert .Values.kafka.tls.clientCert)) }}true{{- end }}
{{- end }}
{{- end }}

{{/* Validate the Kafka connection values once, with messages that name the value to set. */}}
{{- define "distillguard.validateKafka" -}}
{{- if not .Values.kafka.bootstrapServers }}
{{- fail "kafka.bootstrapServers is required, e.g. --set kafka.bootstrapServers=kafka-0.kafka:9092,kafka-1.kafka:9092" }}
{{- end }}
{{- if and (include "distillguard.kafkaUsesSasl" .) (not .Values.kafka.existingSecret) }}
{{- if or (not .Values.kafka.sasl.username) (not .Values.kafka.sasl.password) }}
{{- fail "kafka.securityProtocol=SASL_SSL needs kafka.existingSecret, or kafka.sasl.username and kafka.sasl.password" }}
{{- end }}
{{- end }}
{{- if and (or .Values.kafka.tls.clientCert .Values.kafka.tls.clientKey) (not (and .Values.kafka.tls.clientCert .Values.kafka.tls.clientKey)) }}
{{- fail "mutual TLS needs both kafka.tls.clientCert and kafka.tls.clientKey (PEM), or kafka.existingSecret with kafka.tls.existingSecretHasClientCert=true" }}
{{- end }}
{{- if and (include "distillguard.kafkaUsesTls" . | not) (or .Values.kafka.tls.caCert .Values.kafka.tls.clientCert) }}
{{- fail "kafka.tls.* is set but kafka.securityProtocol is PLAINTEXT: use SSL or SASL_SSL" }}
{{- end }}
{{- end }}

{{/* The Secret body, used by the release Secret and by its hook copy for the topic Job. */}}
{{- define "distillguard.kafkaSecretData" -}}
{{- if include "distillguard.kafkaUsesSasl" . }}
{{ .Values.kafka.secretKeys.username }}: {{ .Values.kafka.sasl.username | b64enc | quote }}
{{ .Values.kafka.secretKeys.password }}: {{ .Values.kafka.sasl.password | b64enc | quote }}
{{- end }}
{{- if .Values.kafka.tls.caCert }}
{{ .Values.kafka.secretKeys.caCert }}: {{ .Values.kafka.tls.caCert | b64enc | quote }}
{{- end }}
{{- if .Values.kafka.tls.clientCert }}
{{ .Values.kafka.secretKeys.clientCert }}: {{ .Values.kafka.tls.clientCert | b64enc | quote }}
{{ .Values.kafka.secretKeys.clientKey }}: {{ .Values.kafka.tls.clientKey | b64enc | quote }}
{{- end }}
{{- end }}

{{/* Is there TLS material to mount from the Secret? */}}
{{- define "distillguard.kafkaMountsTls" -}}
{{- if include "distillguard.kafkaUsesTls" . }}
{{- if or .Values.kafka.tls.caCert .Values.kafka.tls.clientCert (and .Values.kafka.existingSecret (or .Values.kafka.tls.existingSecretHasCa .Values.kafka.tls.existingSecretHasClientCert)) }}true{{- end }}
{{- end }}
{{- end }}

{{/* Kafka client environment (the DISTILLGUARD_KAFKA_* variables every command reads). */}}
{{- define "distillguard.kafkaEnv" -}}
- name: DISTILLGUARD_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: DISTILLGUARD_KAFKA_SECURITY_PROTOCOL
  value: {{ .Values.kafka.securityProtocol | quote }}
{{- if include "distillguard.kafkaUsesSasl" . }}
- name: DISTILLGUARD_KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: DISTILLGUARD_KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "distillguard.kafkaSecretName" . }}
      key: {{ .Values.kafka.secretKeys.username }}
- name: DISTILLGUARD_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "distillguard.kafkaSecretName" . }}
      key: {{ .Values.kafka.secretKeys.password }}
{{- end }}
{{- if include "distillguard.kafkaUsesTls" . }}
{{- if or .Values.kafka.tls.caCert (and .Values.kafka.existingSecret .Values.kafka.tls.existingSecretHasCa) }}
- name: DISTILLGUARD_KAFKA_SSL_CA_LOCATION
  value: /etc/distillguard/kafka-tls/{{ .Values.kafka.secretKeys.caCert }}
{{- end }}
{{- if or .Values.kafka.tls.clientCert (and .Values.kafka.existingSecret .Values.kafka.tls.existingSecretHasClientCert) }}
- name: DISTILLGUARD_KAFKA_SSL_CERT_LOCATION
  value: /etc/distillguard/kafka-tls/{{ .Values.kafka.secretKeys.clientCert }}
- name: DISTILLGUARD_KAFKA_SSL_KEY_LOCATION
  value: /etc/distillguard/kafka-tls/{{ .Values.kafka.secretKeys.clientKey }}
{{- end }}
{{- end }}
{{- end }}

{{- define "distillguard.kafkaTlsVolumeMount" -}}
{{- if include "distillguard.kafkaMountsTls" . }}
- name: kafka-tls
  mountPath: /etc/distillguard/kafka-tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "distillguard.kafkaTlsVolume" -}}
{{- if include "distillguard.kafkaMountsTls" . }}
- name: kafka-tls
  secret:
    secretName: {{ include "distillguard.kafkaSecretName" . }}
    defaultMode: 0440
    items:
      {{- if or .Values.kafka.tls.caCert .Values.kafka.tls.existingSecretHasCa }}
      - key: {{ .Values.kafka.secretKeys.caCert }}
        path: {{ .Values.kafka.secretKeys.caCert }}
      {{- end }}
      {{- if or .Values.kafka.tls.clientCert .Values.kafka.tls.existingSecretHasClientCert }}
      - key: {{ .Values.kafka.secretKeys.clientCert }}
        path: {{ .Values.kafka.secretKeys.clientCert }}
      - key: {{ .Values.kafka.secretKeys.clientKey }}
        path: {{ .Values.kafka.secretKeys.clientKey }}
      {{- end }}
{{- end }}
{{- end }}

{{/* Pod- and container-level hardening shared by every workload. */}}
{{- define "distillguard.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "distillguard.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Topic flags for names that differ from the built-in defaults (brief section 2), so a
     default install passes no flag a command might not know. */}}
{{- define "distillguard.topicOverrideArgs" -}}
{{- $defaults := dict "events" "api.events" "decisions" "enforcement.decisions" "deadletter" "distillguard.deadletter" "config" "distillguard.config" "configStatus" "distillguard.config.status" "labels" "distillguard.labels" "intelIn" "distillguard.intel.in" "intelOut" "distillguard.intel.out" }}
{{- $flags := dict "events" "events" "decisions" "decisions" "deadletter" "deadletter" "config" "config" "configStatus" "config-status" "labels" "labels" "intelIn" "intel-in" "intelOut" "intel-out" }}
{{- range $key := .only }}
{{- $name := get $.names $key }}
{{- if ne $name (get $defaults $key) }}
- --{{ get $flags $key }}-topic={{ $name }}
{{- end }}
{{- end }}
{{- end }}

{{/* Every topic flag, for the topic Job (it knows them all). */}}
{{- define "distillguard.topicArgs" -}}
- --events-topic={{ .Values.topics.names.events }}
- --decisions-topic={{ .Values.topics.names.decisions }}
- --deadletter-topic={{ .Values.topics.names.deadletter }}
- --config-topic={{ .Values.topics.names.config }}
- --config-status-topic={{ .Values.topics.names.configStatus }}
- --labels-topic={{ .Values.topics.names.labels }}
- --intel-in-topic={{ .Values.topics.names.intelIn }}
- --intel-out-topic={{ .Values.topics.names.intelOut }}
{{- end }}
