{{/* Names and labels shared by every template. */}}

{{- define "dso.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dso.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "dso.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "dso.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "dso.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: delta-sharing-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "dso.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dso.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image by digest when one is given, else by tag (the chart's appVersion by default). */}}
{{- define "dso.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The operator's permissions on what it watches and writes; see templates/rbac.yaml. */}}
{{- define "dso.operatorRules" -}}
# the three kinds: watched; finalizers added and removed by JSON patch
- apiGroups: ["sharing.delta-sharing-operator.dev"]
  resources: ["deltasharingservers", "deltashares", "deltarecipients"]
  verbs: ["get", "list", "watch", "patch"]
# conditions, written by server-side apply to the status subresource
- apiGroups: ["sharing.delta-sharing-operator.dev"]
  resources: ["deltasharingservers/status", "deltashares/status", "deltarecipients/status"]
  verbs: ["patch"]
# owner references with blockOwnerDeletion on the objects they own (checked by the
# OwnerReferencesPermissionEnforcement admission plugin where it is on)
- apiGroups: ["sharing.delta-sharing-operator.dev"]
  resources: ["deltasharingservers/finalizers", "deltarecipients/finalizers"]
  verbs: ["update"]
# server configuration and recipient profiles: created once (they hold a signing key or a token),
# then updated at a known resourceVersion; read fresh before a finalizer is released
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "patch"]
# each server's ServiceAccount, Service and Deployment, by server-side apply
- apiGroups: [""]
  resources: ["serviceaccounts", "services"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "patch"]
# removed again when a server's spec drops it
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["list", "watch", "create", "patch", "delete"]
# read only: which server pods are ready, and their IPs, to ask each one's ops port what it serves
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
# a PodMonitor scraping the ops port, for servers whose spec.monitoring asks for one; removed
# again when the spec drops it
- apiGroups: ["monitoring.coreos.com"]
  resources: ["podmonitors"]
  verbs: ["create", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.activationLinks.enabled }}
# activation links: while a recipient has one, a RoleBinding of the server's ServiceAccount to the
# chart's Lease-store ClusterRole, which alone the operator may bind (it holds no Lease rights to
# pass on); and the Leases the server pods create to spend links, deleted once the links expired
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  resourceNames: [{{ include "dso.activationClusterRole" . | quote }}]
  verbs: ["bind"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["list", "delete"]
{{- end }}
{{- end -}}

{{- define "dso.activationClusterRole" -}}
{{ include "dso.fullname" . }}-activation
{{- end -}}
