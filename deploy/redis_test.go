package deploy

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/skyvern-mcp/skyvern-mcp/internal/config"
	"github.com/skyvern-mcp/skyvern-mcp/internal/httpserver"
)

// The Redis-backed variant: deploy/redis/ is a kustomize overlay of
// deploy/ (session mode, --redis-url, a Redis StatefulSet, a
// PodDisruptionBudget).

type overlay struct {
	Resources []string `yaml:"resources"`
	Patches   []struct {
		Path string `yaml:"path"`
	} `yaml:"patches"`
}

type statefulSet struct {
	object `yaml:",inline"`
	Spec   struct {
		ServiceName string `yaml:"serviceName"`
		Replicas    int    `yaml:"replicas"`
		Selector    struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata meta `yaml:"metadata"`
			Spec     struct {
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type pdb struct {
	object `yaml:",inline"`
	Spec   struct {
		MaxUnavailable any `yaml:"maxUnavailable"`
		MinAvailable   any `yaml:"minAvailable"`
		Selector       struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
	} `yaml:"spec"`
}

// decodeDocs decodes every YAML document of file, by kind.
func decodeDocs(t *testing.T, file string) map[string]*yaml.Node {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	out := map[string]*yaml.Node{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err, file)
		var o object
		require.NoError(t, n.Decode(&o))
		out[o.Kind] = &n
	}
}

// patchedContainer is the Deployment's container as kustomize builds it
// with the overlay's strategic merge patch: args replaced, env merged by
// name.
func patchedContainer(t *testing.T) (*deployment, container) {
	t.Helper()
	base, c := loadDeployment(t)
	var patch deployment
	decodeOne(t, filepath.Join("redis", "deployment-patch.yaml"), &patch)
	require.Equal(t, base.Metadata.Name, patch.Metadata.Name)
	require.Len(t, patch.Spec.Template.Spec.Containers, 1)
	pc := patch.Spec.Template.Spec.Containers[0]
	require.Equal(t, c.Name, pc.Name, "the patch names the base's container")
	out := *c
	if pc.Args != nil {
		out.Args = pc.Args
	}
	out.Env = nil
	merged := map[string]bool{}
	for _, e := range pc.Env {
		merged[e.Name] = true
	}
	for _, e := range c.Env {
		if !merged[e.Name] {
			out.Env = append(out.Env, e)
		}
	}
	out.Env = append(out.Env, pc.Env...)
	base.Spec.Replicas = patch.Spec.Replicas
	return base, out
}

func TestRedisOverlayKustomization(t *testing.T) {
	var k overlay
	decodeOne(t, filepath.Join("redis", "kustomization.yaml"), &k)
	assert.ElementsMatch(t, []string{"../", "redis.yaml", "pdb.yaml"}, k.Resources)
	require.Len(t, k.Patches, 1)
	for _, f := range []string{"redis.yaml", "pdb.yaml", k.Patches[0].Path} {
		_, err := os.Stat(filepath.Join("redis", f))
		assert.NoError(t, err, f)
	}
}

// The overlay's flags and environment load: session mode with Redis, on
// 0.0.0.0 behind the bearer token, Redis at the Service redis.yaml makes.
func TestRedisOverlayConfigurationLoads(t *testing.T) {
	d, c := patchedContainer(t)
	var s secret
	decodeOne(t, "secret.example.yaml", &s)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, config.EnvPrefix+"_") || k == config.AuthTokenEnv {
			t.Setenv(k, "")
			require.NoError(t, os.Unsetenv(k))
		}
	}
	keys := configKeys(t)
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			v = s.StringData[e.ValueFrom.SecretKeyRef.Key]
		} else if flag, ok := strings.CutPrefix(e.Name, config.EnvPrefix+"_"); ok {
			_, known := keys[strings.ReplaceAll(strings.ToLower(flag), "_", "-")]
			assert.True(t, known, "%s names no flag", e.Name)
		}
		t.Setenv(e.Name, v)
	}
	cfg, err := config.Load(c.Args, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config.TransportHTTP, cfg.Transport)
	assert.False(t, cfg.Stateless, "session mode: tasks, subscriptions and streams")
	require.NotEmpty(t, cfg.RedisURL)
	require.NoError(t, httpserver.CheckBind(cfg.Addr, cfg.AuthToken != ""))
	assert.GreaterOrEqual(t, d.Spec.Replicas, 2)

	u, err := url.Parse(cfg.RedisURL)
	require.NoError(t, err)
	docs := decodeDocs(t, filepath.Join("redis", "redis.yaml"))
	var svc service
	require.NoError(t, docs["Service"].Decode(&svc))
	assert.Equal(t, svc.Metadata.Name, u.Hostname(), "SKYVERN_REDIS_URL names the Redis Service")
	require.Len(t, svc.Spec.Ports, 1)
	assert.Equal(t, "6379", u.Port())
	assert.Equal(t, 6379, svc.Spec.Ports[0].Port)
}

func TestRedisStatefulSet(t *testing.T) {
	docs := decodeDocs(t, filepath.Join("redis", "redis.yaml"))
	require.Contains(t, docs, "StatefulSet")
	require.Contains(t, docs, "Service")
	var ss statefulSet
	require.NoError(t, docs["StatefulSet"].Decode(&ss))
	var svc service
	require.NoError(t, docs["Service"].Decode(&svc))
	assert.Equal(t, svc.Metadata.Name, ss.Spec.ServiceName)
	assert.Equal(t, 1, ss.Spec.Replicas)
	for k, v := range svc.Spec.Selector {
		assert.Equal(t, v, ss.Spec.Template.Metadata.Labels[k], "the Service selects the Redis pod")
	}
	for k, v := range ss.Spec.Selector.MatchLabels {
		assert.Equal(t, v, ss.Spec.Template.Metadata.Labels[k])
	}
	require.Len(t, ss.Spec.Template.Spec.Containers, 1)
	r := ss.Spec.Template.Spec.Containers[0]
	args := strings.Join(r.Args, " ")
	assert.Contains(t, args, "--maxmemory-policy volatile-", "every key skyvern-mcp writes expires: evict among those")
	assert.Equal(t, 6379, containerPort(t, &r, svc.Spec.Ports[0].TargetPort))
	sc := r.SecurityContext
	require.NotNil(t, sc)
	assert.False(t, *sc.AllowPrivilegeEscalation)
	assert.True(t, *sc.RunAsNonRoot)
	assert.Equal(t, []string{"ALL"}, sc.Capabilities.Drop)
	assert.NotEmpty(t, r.Resources.Limits["memory"])
}

func TestPodDisruptionBudgetSelectsTheDeployment(t *testing.T) {
	d, _ := patchedContainer(t)
	var p pdb
	decodeOne(t, filepath.Join("redis", "pdb.yaml"), &p)
	require.Equal(t, "PodDisruptionBudget", p.Kind)
	assert.Equal(t, "policy/v1", p.APIVersion)
	require.NotEmpty(t, p.Spec.Selector.MatchLabels)
	for k, v := range p.Spec.Selector.MatchLabels {
		assert.Equal(t, v, d.Spec.Template.Metadata.Labels[k], "the budget selects the skyvern-mcp pods")
	}
	assert.True(t, p.Spec.MaxUnavailable != nil || p.Spec.MinAvailable != nil)
}
