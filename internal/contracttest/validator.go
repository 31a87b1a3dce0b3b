package contracttest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// EnvValidator names the environment variable holding the path of a built
// contract-validator (the program in ./validator, which does the OpenAPI
// validation for this package; `make test` builds it into
// bin/contract-validator and sets this). When it is empty the first [Load]
// of a test binary builds the program itself, into bin/contract-validator
// under the module root, with make contract-validator's flags (`go build
// -trimpath -gcflags=github.com/pb33f/...=-l`, CGO_ENABLED=0: the standard
// library compiled for make build serves it, and without inlining pb33f's
// packages compile in half the CPU time); a lock file
// (bin/contract-validator.lock) makes test binaries running side by side wait
// for one build, and an unchanged binary is left as it was.
const EnvValidator = "SKYVERN_MCP_CONTRACT_VALIDATOR"

// validatorDir is the contract-validator's module, relative to the module root.
const validatorDir = "internal/contracttest/validator"

// validatorRequest is one call to the contract-validator; see the protocol
// in its package comment (./validator/main.go).
type validatorRequest struct {
	Op       string             `json:"op"`
	Spec     int                `json:"spec,omitempty"`
	Path     string             `json:"path,omitempty"`
	Document []byte             `json:"document,omitempty"`
	Hidden   []hiddenRoute      `json:"hidden,omitempty"`
	Schema   string             `json:"schema,omitempty"`
	Exchange *validatorExchange `json:"exchange,omitempty"`
}

// validatorExchange is one HTTP request and, for the response check, its
// response.
type validatorExchange struct {
	Method         string              `json:"method"`
	URL            string              `json:"url"`
	Header         map[string][]string `json:"header,omitempty"`
	Body           []byte              `json:"body,omitempty"`
	HasBody        bool                `json:"has_body,omitempty"`
	Status         int                 `json:"status,omitempty"`
	ResponseHeader map[string][]string `json:"response_header,omitempty"`
	ResponseBody   []byte              `json:"response_body,omitempty"`
	AllowedStatus  []int               `json:"allowed_status,omitempty"`
}

// validatorResponse answers one validatorRequest.
type validatorResponse struct {
	Error          string            `json:"error,omitempty"`
	Spec           int               `json:"spec,omitempty"`
	Operations     []string          `json:"operations,omitempty"`
	SDKMethodNames map[string]string `json:"sdk_method_names,omitempty"`
	Values         []string          `json:"values,omitempty"`
	Operation      string            `json:"operation,omitempty"`
	Violations     []string          `json:"violations,omitempty"`
}

// validatorProcess is a running contract-validator. Calls are serialized:
// the validator answers one request at a time (libopenapi renders schemas
// lazily and is not safe for concurrent validation of the same schema).
type validatorProcess struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	enc    *json.Encoder
	dec    *json.Decoder
	broken error
}

var shared struct {
	sync.Once
	v   *validatorProcess
	err error
}

// sharedValidator returns the test binary's contract-validator process,
// starting it (and building it, see [EnvValidator]) on first use. The
// process ends when the test binary does: it reads requests until its stdin
// closes.
func sharedValidator() (*validatorProcess, error) {
	shared.Do(func() {
		bin, err := validatorBinary()
		if err == nil {
			shared.v, err = startValidator(bin)
		}
		shared.err = err
	})
	return shared.v, shared.err
}

// validatorBinary returns the path of the contract-validator: $EnvValidator,
// or bin/contract-validator under the module root, built or brought up to
// date first.
func validatorBinary() (string, error) {
	if p := os.Getenv(EnvValidator); p != "" {
		return absPath(p), nil
	}
	root, ok := moduleRoot()
	if !ok {
		return "", fmt.Errorf("contract-validator: no go.mod at or above the working directory to build it from; set %s", EnvValidator)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("contract-validator: set %s, or put the go command on PATH to build it: %w", EnvValidator, err)
	}
	out := filepath.Join(root, "bin", "contract-validator")
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("contract-validator: %w", err)
	}
	unlock, err := lockFile(out + ".lock")
	if err != nil {
		return "", fmt.Errorf("contract-validator: %w", err)
	}
	defer unlock()
	// Built beside it and moved over it only when different: `go build -o`
	// rewrites its output, and Go's test cache would take the new file
	// time for a change of the tests' input.
	next := out + ".new"
	cmd := exec.Command(goCmd, "build", "-trimpath", "-gcflags=github.com/pb33f/...=-l", "-o", next, ".")
	cmd.Dir = filepath.Join(root, filepath.FromSlash(validatorDir))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("contract-validator: go build in %s: %w\n%s", cmd.Dir, err, strings.TrimSpace(string(b)))
	}
	if sameFile(next, out) {
		return out, os.Remove(next)
	}
	return out, os.Rename(next, out)
}

// sameFile reports whether files a and b exist and hold the same bytes.
func sameFile(a, b string) bool {
	x, err := os.ReadFile(a)
	if err != nil {
		return false
	}
	y, err := os.ReadFile(b)
	return err == nil && bytes.Equal(x, y)
}

// startValidator starts the contract-validator at bin. Go's test cache
// records the program a test runs as one of its inputs, so a new validator
// re-runs the tests; the builds only replace the file when its content
// changes (see validatorBinary), so an unchanged one leaves them cached.
func startValidator(bin string) (*validatorProcess, error) {
	cmd := exec.Command(bin)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("contract-validator: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("contract-validator: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("contract-validator: start %s: %w", bin, err)
	}
	return &validatorProcess{
		cmd:   cmd,
		stdin: stdin,
		enc:   json.NewEncoder(stdin),
		dec:   json.NewDecoder(bufio.NewReaderSize(stdout, 1<<20)),
	}, nil
}

// call sends req and returns the answer; the answer's Error, a failed
// write or read (the process died) are errors, and after a failed write or
// read every later call fails the same way.
func (v *validatorProcess) call(req *validatorRequest) (*validatorResponse, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.broken != nil {
		return nil, v.broken
	}
	var resp validatorResponse
	if err := v.enc.Encode(req); err != nil {
		v.broken = fmt.Errorf("contract-validator: sending %s: %w", req.Op, err)
		return nil, v.broken
	}
	if err := v.dec.Decode(&resp); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("the process ended (%v)", v.cmd.Wait())
		}
		v.broken = fmt.Errorf("contract-validator: reading the answer to %s: %w", req.Op, err)
		return nil, v.broken
	}
	if resp.Error != "" {
		return nil, errors.New(resp.Error)
	}
	return &resp, nil
}
