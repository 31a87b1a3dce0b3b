package distcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// goreleaserConfig is the part of .goreleaser.yaml the tests check.
type goreleaserConfig struct {
	Version int `yaml:"version"`
	Builds  []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Flags   []string `yaml:"flags"`
		Ldflags []string `yaml:"ldflags"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		Algorithm string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(rel)))
	require.NoError(t, err)
	return string(b)
}

// makeVar returns the value of a `NAME := value` line of the Makefile.
func makeVar(t *testing.T, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + `\s*[:?]?=\s*(.*)$`).FindStringSubmatch(readFile(t, "Makefile"))
	require.NotNil(t, m, "Makefile has no %s", name)
	return strings.TrimSpace(m[1])
}

// ldflagVars are the names set with -X in an ldflags string.
func ldflagVars(ldflags string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`-X\s+([^=\s]+)=`).FindAllStringSubmatch(ldflags, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// TestGoReleaserConfig checks .goreleaser.yaml without GoReleaser: it
// parses, builds ./cmd/skyvern-mcp for exactly make dist's six targets with
// the same -X variables, archives every file it names, and checksums with
// SHA-256.
func TestGoReleaserConfig(t *testing.T) {
	var cfg goreleaserConfig
	dec := yaml.NewDecoder(strings.NewReader(readFile(t, ".goreleaser.yaml")))
	require.NoError(t, dec.Decode(&cfg))
	assert.Equal(t, 2, cfg.Version)
	require.Len(t, cfg.Builds, 1)
	b := cfg.Builds[0]
	assert.Equal(t, "./cmd/skyvern-mcp", b.Main)
	assert.Equal(t, "skyvern-mcp", b.Binary)
	assert.Contains(t, b.Env, "CGO_ENABLED=0")
	assert.Contains(t, b.Flags, "-trimpath")

	var targets []string
	for _, os := range b.Goos {
		for _, arch := range b.Goarch {
			targets = append(targets, os+"/"+arch)
		}
	}
	assert.ElementsMatch(t, strings.Fields(makeVar(t, "DIST_TARGETS")), targets, "make dist and GoReleaser build the same targets")
	assert.ElementsMatch(t, []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}, targets)

	require.Len(t, b.Ldflags, 1)
	assert.Equal(t, ldflagVars(makeVar(t, "LDFLAGS")), ldflagVars(b.Ldflags[0]), "the same -X variables as make build")
	for _, v := range ldflagVars(b.Ldflags[0]) {
		assertPackageVar(t, v)
	}

	assert.Equal(t, "sha256", cfg.Checksum.Algorithm)
	require.Len(t, cfg.Archives, 1)
	a := cfg.Archives[0]
	assert.Equal(t, []string{"tar.gz"}, a.Formats)
	require.Len(t, a.FormatOverrides, 1)
	assert.Equal(t, "windows", a.FormatOverrides[0].Goos)
	assert.Equal(t, []string{"zip"}, a.FormatOverrides[0].Formats)
	for _, f := range a.Files {
		assert.FileExists(t, filepath.Join(repoRoot(t), f), "archived with every release")
	}
}

// assertPackageVar checks that an -X target (import/path.name, or
// main.name for the command) is a package-level string variable: -X on a
// name that does not exist is silently ignored.
func assertPackageVar(t *testing.T, target string) {
	t.Helper()
	i := strings.LastIndex(target, ".")
	pkg, name := target[:i], target[i+1:]
	dir := "cmd/skyvern-mcp"
	if pkg != "main" {
		dir = strings.TrimPrefix(strings.TrimPrefix(pkg, modulePath), "/")
	}
	pkgs, err := parser.ParseDir( //nolint:staticcheck // SA1019: one package, no build tags involved
		token.NewFileSet(), filepath.Join(repoRoot(t), dir), func(fi os.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, 0)
	require.NoError(t, err)
	found := false
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.VAR {
					continue
				}
				for _, s := range g.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						found = found || n.Name == name
					}
				}
			}
		}
	}
	assert.True(t, found, "-X %s: no package-level variable %s in %s", target, name, dir)
}

// TestReleaseWorkflow checks the workflow runs GoReleaser v2 on v* tags.
func TestReleaseWorkflow(t *testing.T) {
	var wf struct {
		On struct {
			Push struct {
				Tags []string `yaml:"tags"`
			} `yaml:"push"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(readFile(t, ".github/workflows/release.yml")), &wf))
	assert.Equal(t, []string{"v*"}, wf.On.Push.Tags)
	var uses, runs []string
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			uses, runs = append(uses, s.Uses), append(runs, s.Run)
			if strings.HasPrefix(s.Uses, "goreleaser/goreleaser-action@") {
				assert.Equal(t, "~> v2", s.With["version"])
				assert.Equal(t, "release --clean", s.With["args"])
			}
		}
	}
	assert.Contains(t, uses, "goreleaser/goreleaser-action@v6")
	assert.Contains(t, runs, "make mcpb VERSION=${GITHUB_REF_NAME}")
}

// TestDockerfile checks the image is built for the target platform from
// the build platform (multi-arch with buildx), runs as non-root on
// distroless, and that .dockerignore keeps the context to the sources.
func TestDockerfile(t *testing.T) {
	df := readFile(t, "Dockerfile")
	assert.Regexp(t, `(?m)^FROM --platform=\$BUILDPLATFORM golang:\S+ AS build$`, df)
	assert.Regexp(t, `(?m)^ARG TARGETOS TARGETARCH$`, df)
	assert.Contains(t, df, "GOOS=$TARGETOS GOARCH=$TARGETARCH")
	assert.Regexp(t, `(?m)^FROM gcr\.io/distroless/static-debian\d+:nonroot$`, df)
	assert.Regexp(t, `(?m)^USER nonroot:nonroot$`, df)
	for _, v := range ldflagVars(makeVar(t, "LDFLAGS")) {
		assert.Contains(t, df, "-X "+v+"=", "the image's --version says what make build's does")
	}

	ignore := strings.Fields(readFile(t, ".dockerignore"))
	for _, p := range []string{".git", "bin", "dist", "e2e/node_modules", ".env", "*.test", "coverage.out"} {
		assert.Contains(t, ignore, p)
	}
}
