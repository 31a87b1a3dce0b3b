package contracttest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a Reporter that records reports instead of failing the test,
// so the tests can assert that the harness detects a violation.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = nil
}

// joined returns all reports as one string, for substring assertions.
func (r *recorder) joined() string { return strings.Join(r.all(), "\n---\n") }

// fakeTB records Skipf/Fatalf calls without stopping the goroutine. Its
// embedded nil testing.TB makes it satisfy the interface; any other method
// would panic, which is fine because resolve calls none.
type fakeTB struct {
	testing.TB
	skipped, fatal string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Skipf(format string, a ...any)  { f.skipped = fmt.Sprintf(format, a...) }
func (f *fakeTB) Fatalf(format string, a ...any) { f.fatal = fmt.Sprintf(format, a...) }

func TestSpecPath(t *testing.T) {
	t.Run("env override", func(t *testing.T) {
		want := filepath.Join(t.TempDir(), "spec.json")
		t.Setenv(EnvSpecPath, want)
		assert.Equal(t, want, SpecPath())
	})
	t.Run("beside module root", func(t *testing.T) {
		t.Setenv(EnvSpecPath, "")
		t.Setenv(EnvSpecDir, "")
		wd, err := os.Getwd()
		require.NoError(t, err)
		root := filepath.Join(wd, "..", "..") // internal/contracttest -> module root
		require.FileExists(t, filepath.Join(root, "go.mod"))
		want := filepath.Clean(filepath.Join(root, "..", "shared", "skyvern", "server-openapi.json"))
		got := SpecPath()
		assert.Equal(t, want, got, "the server's document is the contract")
		assert.True(t, filepath.IsAbs(got))
		assert.Equal(t, filepath.Join(filepath.Dir(want), "openapi.json"), SDKSpecPath())
	})
	t.Run("directory override", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(EnvSpecPath, "")
		t.Setenv(EnvSpecDir, dir)
		assert.Equal(t, filepath.Join(dir, "server-openapi.json"), SpecPath())
		assert.Equal(t, filepath.Join(dir, "openapi.json"), SDKSpecPath())
	})
}

func TestResolveMissingSpec(t *testing.T) {
	missing := fmt.Errorf("open /nowhere/openapi.json: %w", fs.ErrNotExist)

	t.Setenv("CI", "")
	tb := &fakeTB{}
	assert.Nil(t, resolve(tb, "/nowhere/openapi.json", nil, missing))
	assert.Contains(t, tb.skipped, "CONTRACT TESTS SKIPPED: OpenAPI spec not found at /nowhere/openapi.json")
	assert.Contains(t, tb.skipped, "run `make spec`", "the skip says how to get the spec")
	assert.Empty(t, tb.fatal)

	t.Setenv("CI", "true")
	tb = &fakeTB{}
	assert.Nil(t, resolve(tb, "/nowhere/openapi.json", nil, missing))
	assert.Empty(t, tb.skipped)
	assert.Contains(t, tb.fatal, "/nowhere/openapi.json")
	assert.Contains(t, tb.fatal, "make spec")
	assert.Contains(t, tb.fatal, "SKYVERN_OPENAPI_DIR")

	t.Setenv("CI", "")
	tb = &fakeTB{}
	assert.Nil(t, resolve(tb, "/x.json", nil, errors.New("boom")))
	assert.Contains(t, tb.fatal, "boom", "other load errors fail even outside CI")
}

func TestLoadSpecRejectsInvalidDocument(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openapi.json")
	// "responses" must be an object and "info" is required.
	require.NoError(t, os.WriteFile(path, []byte(`{"openapi":"3.1.0","paths":{"/x":{"get":{"responses":"nope"}}}}`), 0o600))
	_, err := loadSpec(path, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing property 'info'")

	_, err = loadSpec(filepath.Join(t.TempDir(), "absent.json"), true)
	require.ErrorIs(t, err, fs.ErrNotExist)

	// libopenapi logged that failure to stdout, the validator's protocol
	// channel; the next answer still belongs to the next request.
	valid := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(valid, []byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},`+
		`"paths":{"/x":{"get":{"responses":{"200":{"description":"ok"}}}}}}`), 0o600))
	s, err := loadSpec(valid, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"GET /x"}, s.Operations())
}

// A contract-validator that dies fails every later call with the reason,
// instead of hanging or answering for another request.
func TestValidatorProcessDied(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the validator")
	}
	bin := filepath.Join(t.TempDir(), "validator")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\nexit 3\n"), 0o700))
	v, err := startValidator(bin)
	require.NoError(t, err)
	_, err = v.call(&validatorRequest{Op: "enum", Spec: 1, Schema: "X"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the process ended (exit status 3)")
	_, again := v.call(&validatorRequest{Op: "enum", Spec: 1, Schema: "X"})
	assert.Equal(t, err, again)
}

func TestLoadOnce(t *testing.T) {
	s := Load(t)
	assert.Same(t, s, Load(t), "Load must share one Spec per test binary")
	assert.Contains(t, s.Operations(), "POST /v1/run/tasks")
	assert.Contains(t, s.Operations(), "GET /v1/artifacts/{artifact_id}/content")
	assert.Len(t, s.Operations(), 87, "the server's document has 87 operations")
	assert.Contains(t, s.Operations(), "DELETE /v1/files/{file_id}", "a server-only operation")
	assert.NotContains(t, s.Operations(), "GET /v1/artifacts/{artifact_id}", "hidden routes are validated, not listed")
	sdk := LoadSDK(t)
	assert.Len(t, sdk.Operations(), 83)
}

// The server's hidden get_artifact route is validated like a documented one.
func TestHiddenRouteValidated(t *testing.T) {
	s := Load(t)
	assert.Contains(t, HiddenOperations(), "GET /v1/artifacts/{artifact_id}")
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"artifact_id":"a_1","artifact_type":"screenshot_final"}`)
	}))
	defer srv.Close()
	c := &http.Client{Transport: s.Transport(rec, nil)}
	before := s.Seen()["GET /v1/artifacts/{artifact_id}"]
	resp, err := c.Get(srv.URL + "/v1/artifacts/a_1")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Contains(t, rec.joined(), "response 200 of GET /v1/artifacts/{artifact_id}", "missing required fields are reported")
	assert.NotContains(t, rec.joined(), "undocumented operation")
	assert.Equal(t, before+1, s.Seen()["GET /v1/artifacts/{artifact_id}"])
}

// readAll is io.ReadAll for tests.
func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

func TestEnum(t *testing.T) {
	s := Load(t)
	assert.Contains(t, s.Enum("RunEngine"), "skyvern-3.0")
	assert.Equal(t, []string{"totp", "magic_link"}, s.Enum("OTPType"))
	assert.Nil(t, s.Enum("NoSuchSchema"))
	assert.Nil(t, s.Enum("Artifact"), "an object schema has no enum")
}

func TestSDKMethodNames(t *testing.T) {
	names := Load(t).SDKMethodNames()
	assert.Equal(t, "delete_file", names["DELETE /v1/files/{file_id}"])
	assert.Equal(t, "run_task", names["POST /v1/run/tasks"])
	_, ok := names["GET /v1/schedules"]
	assert.False(t, ok, "an operation without x-fern-sdk-method-name is absent")
}
