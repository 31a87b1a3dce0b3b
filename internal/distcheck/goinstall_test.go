package distcheck

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/internal/testrun"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

const modulePath = "github.com/skyvern-mcp/skyvern-mcp"

// repoRoot is the module's root directory (two levels above this package).
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	return root
}

// moduleFiles lists the files a module proxy would serve for this checkout:
// git's tracked and untracked-but-not-ignored files (what a commit and tag
// of the working tree would hold). Files git lists but that are gone are
// left out.
func moduleFiles(t *testing.T, root string) []modzip.File {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("SKIP: needs git (package git) and a git checkout to list the module's files: %v", err)
	}
	var files []modzip.File
	for _, name := range strings.Split(string(out), "\x00") {
		if name == "" {
			continue
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		files = append(files, diskFile{slash: name, path: p})
	}
	return files
}

type diskFile struct{ slash, path string }

func (f diskFile) Path() string                 { return f.slash }
func (f diskFile) Lstat() (os.FileInfo, error)  { return os.Lstat(f.path) }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.path) }

// TestGoInstall installs the command the way a user meets it: the module is
// packed as a module zip (golang.org/x/mod/zip) into a file:// GOPROXY in a
// temp dir, `go install <module>/cmd/skyvern-mcp@<version>` puts the binary
// in a temp GOBIN with GOFLAGS cleared, and the binary's --version names the
// version it was installed at. It fails when go.mod has a replace directive
// (go install refuses those) and when the binary does not know its version.
// The dependencies come from the module cache (make test runs go mod
// download first), else from proxy.golang.org.
func TestGoInstall(t *testing.T) {
	testrun.Always() // go install reads the module's files through git's file list and the module cache
	if testing.Short() {
		t.Skip("-short: go install builds the whole command (~30 s)")
	}
	root := repoRoot(t)
	gomodcache := goEnv(t, "GOMODCACHE")
	// A version no earlier run used: the module cache keeps what it
	// extracted, so a fixed version would install yesterday's code.
	version := fmt.Sprintf("v0.0.0-installtest.%d", time.Now().UnixNano())
	mv := module.Version{Path: modulePath, Version: version}
	t.Cleanup(func() { removeFromModCache(t, gomodcache, mv) })

	proxy := t.TempDir()
	dir := filepath.Join(proxy, filepath.FromSlash(modulePath), "@v")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	var zbuf bytes.Buffer
	require.NoError(t, modzip.Create(&zbuf, mv, moduleFiles(t, root)))
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": time.Now().UTC().Format(time.RFC3339)})
	for name, data := range map[string][]byte{
		version + ".zip":  zbuf.Bytes(),
		version + ".mod":  gomod,
		version + ".info": info,
		"list":            []byte(version + "\n"),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	assertZipIsSource(t, zbuf.Bytes())
	mf, err := modfile.Parse("go.mod", gomod, nil)
	require.NoError(t, err)
	assert.Empty(t, mf.Replace, "go install refuses a module whose go.mod has replace directives")

	gobin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// -trimpath and CGO_ENABLED=0 as make build: the dependencies' compiled
	// packages come from the build cache instead of a second full build.
	install := exec.CommandContext(ctx, goBin(), "install", "-trimpath", modulePath+"/cmd/skyvern-mcp@"+version)
	install.Dir = t.TempDir() // outside any module, as a user runs it
	install.Env = append(os.Environ(),
		"GOFLAGS=",
		"CGO_ENABLED=0",
		"GOBIN="+gobin,
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOPROXY="+fileURL(proxy)+","+fileURL(filepath.Join(gomodcache, "cache", "download"))+",https://proxy.golang.org",
		// The test version is in no checksum database; the dependencies
		// are checked against the module's go.sum.
		"GONOSUMDB="+modulePath,
		"GOPRIVATE=",
	)
	start := time.Now()
	out, err := install.CombinedOutput()
	require.NoError(t, err, "go install: %s", out)
	t.Logf("go install %s: %s", version, time.Since(start).Round(time.Second))

	exe := filepath.Join(gobin, "skyvern-mcp")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	got, err := exec.CommandContext(ctx, exe, "--version").Output()
	require.NoError(t, err)
	line := strings.TrimSpace(string(got))
	assert.True(t, strings.HasPrefix(line, "skyvern-mcp "+version+" (commit "), "--version: %q", line)
	assert.Contains(t, line, runtime.Version())
}

// assertZipIsSource checks the zip holds source, not installed npm packages.
func assertZipIsSource(t *testing.T, z []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	require.NoError(t, err)
	for _, f := range zr.File {
		assert.False(t, strings.Contains(f.Name, "node_modules/"), "the module zip holds %s", f.Name)
	}
}

func goBin() string {
	// The go command that runs this test (GOROOT is set by go test).
	if p := filepath.Join(os.Getenv("GOROOT"), "bin", "go"); os.Getenv("GOROOT") != "" && fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command(goBin(), "env", name).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// fileURL is a file:// URL for a local directory, as GOPROXY takes it.
func fileURL(dir string) string {
	dir = filepath.ToSlash(dir)
	if !strings.HasPrefix(dir, "/") {
		dir = "/" + dir // C:/x on Windows
	}
	return "file://" + dir
}

// removeFromModCache deletes what go install put in the module cache for
// the test version (the module cache makes its files read-only).
func removeFromModCache(t *testing.T, gomodcache string, mv module.Version) {
	esc, err := module.EscapePath(mv.Path)
	if err != nil {
		return
	}
	extracted := filepath.Join(gomodcache, filepath.FromSlash(esc)+"@"+mv.Version)
	_ = filepath.Walk(extracted, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	if err := os.RemoveAll(extracted); err != nil {
		t.Logf("cleaning the module cache: %v", err)
	}
	dl := filepath.Join(gomodcache, "cache", "download", filepath.FromSlash(esc), "@v")
	matches, _ := filepath.Glob(filepath.Join(dl, mv.Version+".*"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}
