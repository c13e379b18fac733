// Builds helm.sh/helm/v3/cmd/helm from the Go module proxy (for helm lint, helm template and dry runs).
module dso.test/ground/kube/helm

go 1.26.0

require helm.sh/helm/v3 v3.22.0
