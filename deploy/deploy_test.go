package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/skyvern-mcp/skyvern-mcp/internal/config"
	"github.com/skyvern-mcp/skyvern-mcp/internal/httpserver"
)

// The parts of the Kubernetes objects these tests look at. Unknown fields
// are ignored by the decoder; the manifests are checked, not round-tripped.

type meta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   meta   `yaml:"metadata"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
	PeriodSeconds  int `yaml:"periodSeconds"`
	TimeoutSeconds int `yaml:"timeoutSeconds"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `yaml:"name"`
			Key  string `yaml:"key"`
		} `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []envVar `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext *struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		Privileged               *bool `yaml:"privileged"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
		Capabilities             *struct {
			Drop []string `yaml:"drop"`
			Add  []string `yaml:"add"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
}

type deployment struct {
	object `yaml:",inline"`
	Spec   struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata meta `yaml:"metadata"`
			Spec     struct {
				TerminationGracePeriodSeconds int   `yaml:"terminationGracePeriodSeconds"`
				AutomountServiceAccountToken  *bool `yaml:"automountServiceAccountToken"`
				SecurityContext               *struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
					RunAsUser    *int  `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type service struct {
	object `yaml:",inline"`
	Spec   struct {
		Type            string            `yaml:"type"`
		Selector        map[string]string `yaml:"selector"`
		SessionAffinity string            `yaml:"sessionAffinity"`
		Ports           []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort any    `yaml:"targetPort"`
		} `yaml:"ports"`
	} `yaml:"spec"`
}

type hpa struct {
	object `yaml:",inline"`
	Spec   struct {
		ScaleTargetRef struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Name       string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		MinReplicas int `yaml:"minReplicas"`
		MaxReplicas int `yaml:"maxReplicas"`
		Metrics     []struct {
			Type     string `yaml:"type"`
			Resource *struct {
				Name   string `yaml:"name"`
				Target struct {
					Type               string `yaml:"type"`
					AverageUtilization int    `yaml:"averageUtilization"`
				} `yaml:"target"`
			} `yaml:"resource"`
		} `yaml:"metrics"`
	} `yaml:"spec"`
}

type secret struct {
	object     `yaml:",inline"`
	Type       string            `yaml:"type"`
	StringData map[string]string `yaml:"stringData"`
	Data       map[string]string `yaml:"data"`
}

type kustomization struct {
	Resources []string `yaml:"resources"`
}

// decodeOne reads file, which must hold exactly one YAML document, into v.
// Fields v does not name are ignored (these are partial views of Kubernetes
// objects).
func decodeOne(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	require.NoError(t, dec.Decode(v), file)
	var extra any
	require.ErrorIs(t, dec.Decode(&extra), io.EOF, "%s: expected exactly one YAML document", file)
}

func loadDeployment(t *testing.T) (*deployment, *container) {
	t.Helper()
	var d deployment
	decodeOne(t, "deployment.yaml", &d)
	require.Equal(t, "Deployment", d.Kind)
	require.Equal(t, "apps/v1", d.APIVersion)
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	return &d, &d.Spec.Template.Spec.Containers[0]
}

// flagValues parses the container's args (--name=value, --name value, or a
// bare boolean --name) into a map of flag name to value.
func flagValues(t *testing.T, args []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		require.True(t, strings.HasPrefix(a, "--"), "arg %q is not a --flag", a)
		name, value, ok := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !ok {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				value, i = args[i+1], i+1
			} else {
				value = "true"
			}
		}
		out[name] = value
	}
	return out
}

// configKeys are the keys of config.example.json: every flag name.
func configKeys(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "config.example.json"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func containerPort(t *testing.T, c *container, ref any) int {
	t.Helper()
	switch p := ref.(type) {
	case int:
		return p
	case string:
		for _, cp := range c.Ports {
			if cp.Name == p {
				return cp.ContainerPort
			}
		}
		if n, err := strconv.Atoi(p); err == nil {
			return n
		}
	}
	t.Fatalf("port %v is not a container port of %s", ref, c.Name)
	return 0
}

func TestDeploymentRunsStatelessHTTPOnAllInterfaces(t *testing.T) {
	_, c := loadDeployment(t)
	flags := flagValues(t, c.Args)
	assert.Equal(t, "http", flags["transport"], "streamable HTTP")
	assert.Equal(t, "true", flags["stateless"], "replicas behind a load balancer need --stateless")
	assert.Equal(t, "0.0.0.0:8787", flags["addr"])
	assert.NotContains(t, flags, "sandbox", "a deployment talks to the real Skyvern")
	require.Len(t, c.Ports, 1)
	assert.Equal(t, 8787, c.Ports[0].ContainerPort)
	assert.NotEmpty(t, c.Image)
}

func TestDeploymentFlagsAndEnvironmentExist(t *testing.T) {
	_, c := loadDeployment(t)
	keys := configKeys(t)
	for name := range flagValues(t, c.Args) {
		_, ok := keys[name]
		assert.True(t, ok, "--%s is not a key of config.example.json (every flag is)", name)
	}
	secrets := map[string]bool{config.EnvPrefix + "_API_KEY": true, config.AuthTokenEnv: true}
	for _, e := range c.Env {
		if secrets[e.Name] {
			continue
		}
		flag, ok := strings.CutPrefix(e.Name, config.EnvPrefix+"_")
		if assert.True(t, ok, "environment variable %s is neither a secret nor %s_<FLAG>", e.Name, config.EnvPrefix) {
			_, known := keys[strings.ReplaceAll(strings.ToLower(flag), "_", "-")]
			assert.True(t, known, "%s names no flag of config.example.json", e.Name)
		}
	}
	// Both secrets are set, from the Secret, never as literal values.
	for name := range secrets {
		var found *envVar
		for i := range c.Env {
			if c.Env[i].Name == name {
				found = &c.Env[i]
			}
		}
		if assert.NotNil(t, found, "%s is not set", name) {
			assert.Empty(t, found.Value, "%s must come from a Secret, not a literal", name)
			require.NotNil(t, found.ValueFrom, name)
			assert.NotNil(t, found.ValueFrom.SecretKeyRef, "%s must come from a secretKeyRef", name)
		}
	}
}

func TestSecretExampleMatchesTheDeploymentAndHoldsPlaceholdersOnly(t *testing.T) {
	_, c := loadDeployment(t)
	var s secret
	decodeOne(t, "secret.example.yaml", &s)
	require.Equal(t, "Secret", s.Kind)
	assert.Empty(t, s.Data, "use stringData with placeholders, not base64 data")
	for k, v := range s.StringData {
		assert.True(t, strings.HasPrefix(v, "REPLACE_WITH_"), "secret key %s holds %q, not a placeholder", k, v)
	}
	refs := 0
	for _, e := range c.Env {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			continue
		}
		refs++
		ref := e.ValueFrom.SecretKeyRef
		assert.Equal(t, s.Metadata.Name, ref.Name, "%s reads another Secret", e.Name)
		assert.Contains(t, s.StringData, ref.Key, "%s reads key %s, which secret.example.yaml lacks", e.Name, ref.Key)
	}
	assert.Equal(t, len(s.StringData), refs, "every key of the example Secret is used once")
}

// The manifest's flags and environment, given to the server's own
// configuration loader, load, and the server would agree to listen on
// 0.0.0.0 only because the bearer token is set.
func TestDeploymentConfigurationLoads(t *testing.T) {
	_, c := loadDeployment(t)
	var s secret
	decodeOne(t, "secret.example.yaml", &s)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, config.EnvPrefix+"_") || k == config.AuthTokenEnv {
			t.Setenv(k, "") // restored after the test
			require.NoError(t, os.Unsetenv(k))
		}
	}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			v = s.StringData[e.ValueFrom.SecretKeyRef.Key]
		}
		t.Setenv(e.Name, v)
	}
	cfg, err := config.Load(c.Args, "", io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config.TransportHTTP, cfg.Transport)
	assert.True(t, cfg.Stateless)
	assert.Equal(t, "0.0.0.0:8787", cfg.Addr)
	assert.NotEmpty(t, cfg.APIKey)
	assert.NotEmpty(t, cfg.AuthToken)
	assert.False(t, cfg.Sandbox)
	require.NoError(t, httpserver.CheckBind(cfg.Addr, cfg.AuthToken != ""))
	assert.Error(t, httpserver.CheckBind(cfg.Addr, false), "without the token the server must refuse 0.0.0.0")

	// The pod is given more time to stop than the server waits for calls in flight.
	d, _ := loadDeployment(t)
	grace := time.Duration(d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	assert.Greater(t, grace, cfg.ShutdownGrace, "terminationGracePeriodSeconds must exceed --shutdown-grace")
}

func TestDeploymentProbes(t *testing.T) {
	_, c := loadDeployment(t)
	for name, p := range map[string]struct {
		probe *probe
		path  string
	}{"liveness": {c.LivenessProbe, "/healthz"}, "readiness": {c.ReadinessProbe, "/readyz"}} {
		if !assert.NotNil(t, p.probe, name) || !assert.NotNil(t, p.probe.HTTPGet, name) {
			continue
		}
		assert.Equal(t, p.path, p.probe.HTTPGet.Path, name)
		assert.Equal(t, 8787, containerPort(t, c, p.probe.HTTPGet.Port), name)
		assert.Positive(t, p.probe.PeriodSeconds, name)
		// /readyz may take up to 3 s asking Skyvern; its probe must wait longer.
		assert.GreaterOrEqual(t, p.probe.TimeoutSeconds, 2, name)
	}
	assert.Greater(t, c.ReadinessProbe.TimeoutSeconds, 3, "readiness timeout must exceed the server's 3 s readiness check")
}

func TestDeploymentIsHardened(t *testing.T) {
	d, c := loadDeployment(t)
	pod := d.Spec.Template.Spec
	require.NotNil(t, pod.SecurityContext)
	require.NotNil(t, pod.SecurityContext.RunAsNonRoot)
	assert.True(t, *pod.SecurityContext.RunAsNonRoot)
	if assert.NotNil(t, pod.SecurityContext.RunAsUser) {
		assert.NotZero(t, *pod.SecurityContext.RunAsUser, "runAsUser 0 is root")
	}
	if assert.NotNil(t, pod.AutomountServiceAccountToken) {
		assert.False(t, *pod.AutomountServiceAccountToken, "the server needs no Kubernetes API token")
	}
	sc := c.SecurityContext
	require.NotNil(t, sc)
	for name, v := range map[string]*bool{
		"allowPrivilegeEscalation": sc.AllowPrivilegeEscalation,
		"privileged":               sc.Privileged,
	} {
		if assert.NotNil(t, v, name) {
			assert.False(t, *v, name)
		}
	}
	for name, v := range map[string]*bool{
		"readOnlyRootFilesystem": sc.ReadOnlyRootFilesystem,
		"runAsNonRoot":           sc.RunAsNonRoot,
	} {
		if assert.NotNil(t, v, name) {
			assert.True(t, *v, name)
		}
	}
	if assert.NotNil(t, sc.Capabilities) {
		assert.Equal(t, []string{"ALL"}, sc.Capabilities.Drop)
		assert.Empty(t, sc.Capabilities.Add)
	}
	for _, r := range []string{"cpu", "memory"} {
		assert.NotEmpty(t, c.Resources.Requests[r], "requests.%s", r)
		assert.NotEmpty(t, c.Resources.Limits[r], "limits.%s", r)
	}
}

func TestServiceAndHPATargetTheDeployment(t *testing.T) {
	d, c := loadDeployment(t)
	labels := d.Spec.Template.Metadata.Labels
	for k, v := range d.Spec.Selector.MatchLabels {
		assert.Equal(t, v, labels[k], "the Deployment's selector does not match its pods (%s)", k)
	}

	var s service
	decodeOne(t, "service.yaml", &s)
	require.Equal(t, "Service", s.Kind)
	require.NotEmpty(t, s.Spec.Selector)
	for k, v := range s.Spec.Selector {
		assert.Equal(t, v, labels[k], "the Service selects no pod of the Deployment (%s)", k)
	}
	assert.NotEqual(t, "ClientIP", s.Spec.SessionAffinity, "--stateless needs no sticky sessions")
	require.Len(t, s.Spec.Ports, 1)
	assert.Equal(t, 8787, containerPort(t, c, s.Spec.Ports[0].TargetPort))

	var h hpa
	decodeOne(t, "hpa.yaml", &h)
	require.Equal(t, "HorizontalPodAutoscaler", h.Kind)
	assert.Equal(t, "autoscaling/v2", h.APIVersion)
	assert.Equal(t, "Deployment", h.Spec.ScaleTargetRef.Kind)
	assert.Equal(t, d.Metadata.Name, h.Spec.ScaleTargetRef.Name)
	assert.GreaterOrEqual(t, h.Spec.MinReplicas, 2, "at least two replicas for availability")
	assert.Greater(t, h.Spec.MaxReplicas, h.Spec.MinReplicas)
	require.NotEmpty(t, h.Spec.Metrics)
	// A CPU utilization target only works when the container requests CPU.
	for _, m := range h.Spec.Metrics {
		if m.Resource != nil && m.Resource.Target.Type == "Utilization" {
			assert.NotEmpty(t, c.Resources.Requests[m.Resource.Name], "HPA scales on %s utilization, which the container does not request", m.Resource.Name)
		}
	}
}

func TestKustomizationListsTheManifestsButNotTheExampleSecret(t *testing.T) {
	var k kustomization
	decodeOne(t, "kustomization.yaml", &k)
	assert.ElementsMatch(t, []string{"deployment.yaml", "service.yaml", "hpa.yaml"}, k.Resources)
	for _, r := range k.Resources {
		_, err := os.Stat(r)
		assert.False(t, errors.Is(err, os.ErrNotExist), "%s does not exist", r)
	}
}
