// Package contracttest checks HTTP traffic and Go types against Skyvern's
// OpenAPI 3.1 document, so that tests fail when the client (or a fake server)
// drifts from the published API contract.
//
// The contract is the document Skyvern's server publishes,
// server-openapi.json (87 operations; the SDK's openapi.json is a subset of
// it, loaded by [LoadSDK] where a test needs the SDK's view, e.g. its method
// names). Neither document is vendored (Skyvern is AGPL-3.0): both live in
// ../shared/skyvern/ beside the module root, or in $SKYVERN_OPENAPI_DIR
// (see [SpecDir]); `make spec` downloads them at the pinned commit and checks
// their SHA-256. The server document is loaded once per test binary by
// [Load]. Tests then wrap their transports with [Spec.Transport],
// their fake servers with [Spec.Middleware], and compare request/response
// structs with [Spec.CheckStruct].
//
// Typical use in a client test:
//
//	spec := contracttest.Load(t) // skips if the spec is absent (fails if CI=true)
//	httpClient := &http.Client{Transport: spec.Transport(t, srv.Client().Transport)}
//	// ... exercise the client against an httptest server ...
//	spec.CheckStruct(t, reflect.TypeFor[client.TaskRunResponse](), "TaskRunResponse")
//
// Validation is done by github.com/pb33f/libopenapi-validator, in a process
// of its own: the contract-validator program in ./validator, a module of its
// own (see [EnvValidator] for how it is found or built). Its packages compile
// to 40-70 MB of export data each; linked into every -race test binary that
// checks traffic they cost most of a cold `make test`, and outside the main
// module `go test ./...`, `go vet ./...` and golangci-lint never compile
// them. Request and response bodies are validated against their JSON
// Schemas; string formats (date-time, uri, ...) are not asserted, which is
// the validator's default.
package contracttest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// EnvSpecPath names the environment variable that overrides the location of
// the server's OpenAPI document (a file).
const EnvSpecPath = "SKYVERN_OPENAPI"

// EnvSpecDir names the environment variable that overrides the directory
// holding both documents (server-openapi.json and openapi.json); `make spec`
// downloads into the same directory.
const EnvSpecDir = "SKYVERN_OPENAPI_DIR"

// relSpecDir is the directory of the documents relative to the module root.
const relSpecDir = "../shared/skyvern"

// ServerSpecFile and SDKSpecFile are the file names of the server's document
// (the contract) and of the SDK's subset.
const (
	ServerSpecFile = "server-openapi.json"
	SDKSpecFile    = "openapi.json"
)

// GetSpecHint is the one line every skip and failure for a missing document
// ends with: how to get it.
const GetSpecHint = "run `make spec` to download Skyvern's OpenAPI documents at the pinned commit (SHA-256 checked), or set " +
	EnvSpecDir + " to a directory holding them"

// Reporter is the subset of testing.TB used to report contract violations.
// testing.TB satisfies it; tests of this package use a recording fake.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Spec is a loaded, validated OpenAPI document. It is safe for concurrent
// use; obtain the shared instance with [Load].
type Spec struct {
	path string
	// v is the contract-validator process holding the document, as its
	// spec number id.
	v  *validatorProcess
	id int
	// operations and sdkMethodNames are computed once, when loaded.
	operations     []string
	sdkMethodNames map[string]string

	mu   sync.Mutex
	seen map[string]int
}

// SpecPath returns the absolute path of the server's OpenAPI document (the
// contract): the value of $SKYVERN_OPENAPI if set, otherwise
// server-openapi.json in [SpecDir].
func SpecPath() string {
	if p := os.Getenv(EnvSpecPath); p != "" {
		return absPath(p)
	}
	return filepath.Join(SpecDir(), ServerSpecFile)
}

// SDKSpecPath returns the absolute path of the SDK's OpenAPI document
// (openapi.json in [SpecDir]).
func SDKSpecPath() string { return filepath.Join(SpecDir(), SDKSpecFile) }

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

// SpecDir returns the absolute directory of Skyvern's OpenAPI documents: the
// value of $SKYVERN_OPENAPI_DIR if set, otherwise ../shared/skyvern relative
// to the nearest directory at or above the working directory that contains
// go.mod (the working directory itself if there is none).
func SpecDir() string {
	if p := os.Getenv(EnvSpecDir); p != "" {
		return absPath(p)
	}
	root, ok := moduleRoot()
	if !ok {
		root = "."
		if wd, err := os.Getwd(); err == nil {
			root = wd
		}
	}
	return filepath.Clean(filepath.Join(root, relSpecDir))
}

// moduleRoot returns the nearest directory at or above the working directory
// that contains go.mod.
func moduleRoot() (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// once loads one document once per test binary.
type once struct {
	sync.Once
	spec *Spec
	err  error
	path string
}

var serverSpec, sdkSpec once

func (o *once) load(tb testing.TB, path func() string, hidden bool) *Spec {
	tb.Helper()
	o.Do(func() {
		o.path = path()
		o.spec, o.err = loadSpec(o.path, hidden)
	})
	return resolve(tb, o.path, o.spec, o.err)
}

// Load returns the Spec shared by the whole test binary, parsing and
// validating the document on first use (this takes a few seconds).
//
// If the document does not exist, Load skips the test, or fails it when the
// environment variable CI is true, so CI cannot silently lose contract
// coverage. A document that fails to parse, build or validate against the
// OpenAPI 3.1 meta-schema always fails the test.
//
// The server's routes that it keeps out of its document
// (include_in_schema=False) but the SDK calls, see [HiddenOperations], are
// validated too; [Spec.Operations] does not list them.
func Load(tb testing.TB) *Spec {
	tb.Helper()
	return serverSpec.load(tb, SpecPath, true)
}

// LoadSDK is [Load] for the SDK's document (openapi.json, the subset the
// official Python and TypeScript clients are generated from), for checks
// of the SDK's view such as its method names. Missing, it skips or fails
// like Load.
func LoadSDK(tb testing.TB) *Spec {
	tb.Helper()
	return sdkSpec.load(tb, SDKSpecPath, false)
}

// resolve turns the outcome of loading path into a Spec, a skip or a failure.
func resolve(tb testing.TB, path string, spec *Spec, err error) *Spec {
	tb.Helper()
	switch {
	case err == nil:
		return spec
	case errors.Is(err, fs.ErrNotExist):
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			tb.Fatalf("contract tests: OpenAPI spec not found at %s (CI=true, so this fails instead of skipping): %v; %s",
				path, err, GetSpecHint)
			return nil
		}
		tb.Skipf("CONTRACT TESTS SKIPPED: OpenAPI spec not found at %s; %s", path, GetSpecHint)
	default:
		tb.Fatalf("contract tests: cannot load OpenAPI spec %s: %v", path, err)
	}
	return nil
}

// loadSpec reads path and has the contract-validator process parse it,
// build the v3 model and the validator, and validate the document itself.
// With hidden, the server's hidden routes the SDK calls are added to the
// model first (see [HiddenOperations]). The file is read here, not by the
// validator, so that a missing file is fs.ErrNotExist and Go's test cache
// sees the document among the test's inputs.
func loadSpec(path string, hidden bool) (*Spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := sharedValidator()
	if err != nil {
		return nil, err
	}
	req := &validatorRequest{Op: "load", Path: path, Document: raw}
	if hidden {
		req.Hidden = hiddenRoutes
	}
	resp, err := v.call(req)
	if err != nil {
		return nil, err
	}
	return &Spec{
		path:           path,
		v:              v,
		id:             resp.Spec,
		operations:     resp.Operations,
		sdkMethodNames: resp.SDKMethodNames,
		seen:           map[string]int{},
	}, nil
}

// Path returns the file the Spec was loaded from.
func (s *Spec) Path() string { return s.path }

// Operations returns every operation in the document as "METHOD /path/template",
// sorted; compare it with [Spec.Seen] to measure coverage. Hidden routes
// added by [Load] are not included.
func (s *Spec) Operations() []string { return slices.Clone(s.operations) }

// Seen returns a copy of the number of requests observed per documented
// operation, keyed by "METHOD /path/template" (for example
// "GET /v1/runs/{run_id}"). Counts accumulate over every Transport and
// Middleware of this Spec, i.e. over the whole test binary.
func (s *Spec) Seen() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.seen))
	for k, v := range s.seen {
		out[k] = v
	}
	return out
}

func (s *Spec) markSeen(key string) {
	s.mu.Lock()
	s.seen[key]++
	s.mu.Unlock()
}

func opKey(method, path string) string { return strings.ToUpper(method) + " " + path }
