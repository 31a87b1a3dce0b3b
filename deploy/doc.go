// Package deploy holds Kubernetes manifests for running skyvern-mcp over
// streamable HTTP in --stateless mode behind a Service, scaled by a
// HorizontalPodAutoscaler: deployment.yaml, service.yaml, hpa.yaml,
// kustomization.yaml and secret.example.yaml (placeholders only).
//
// It has no Go code; its test parses the manifests and checks that they are
// consistent, hardened, and use only flags and environment variables the
// server knows.
package deploy
