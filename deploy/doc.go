// Package deploy holds Kubernetes manifests for running skyvern-mcp over
// streamable HTTP in --stateless mode behind a Service, scaled by a
// HorizontalPodAutoscaler: deployment.yaml, service.yaml, hpa.yaml,
// kustomization.yaml and secret.example.yaml (placeholders only).
//
// deploy/redis/ is the Redis-backed variant (kustomize overlay): session
// mode with any number of replicas, state in Redis (--redis-url; a Redis
// StatefulSet, or an external URL), a PodDisruptionBudget.
//
// It has no Go code; its test parses the manifests and checks that they are
// consistent, hardened, and use only flags and environment variables the
// server knows.
package deploy
