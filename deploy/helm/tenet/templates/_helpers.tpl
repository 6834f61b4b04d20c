{{/* The labels of every object: name, instance, component (given as .component), version. */}}
{{- define "tenet.labels" -}}
app.kubernetes.io/name: tenet
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* What a workload's selector matches: labels that never change on upgrade. */}}
{{- define "tenet.selector" -}}
app.kubernetes.io/name: tenet
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The Secret with admin-password, enroll-token and postgres-url. */}}
{{- define "tenet.secret" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-tenet" .Release.Name) -}}
{{- end }}

{{/* The console's TLS Secret. */}}
{{- define "tenet.tlsSecret" -}}
{{- .Values.tls.existingSecret | default (printf "%s-tenet-console-tls" .Release.Name) -}}
{{- end }}

{{/* The console's Service, as the defenders name it. */}}
{{- define "tenet.service" -}}
{{- printf "%s-tenet-console" .Release.Name -}}
{{- end }}
