// Command contract-validator validates HTTP exchanges against an OpenAPI 3.1
// document for internal/contracttest, in a process of its own.
//
// It exists to keep github.com/pb33f/libopenapi-validator out of the test
// binaries: its packages compile to 40-70 MB of export data each, and built
// into every -race test binary that checks traffic they were most of a cold
// `make test`. Built once, without -race, as its own module (so `go test
// ./...`, `go vet ./...` and golangci-lint on the main module never compile
// it), it serves every test process through a pipe.
//
// Protocol: JSON values on stdin, one [request] at a time; for each, one
// [response] on stdout. stdout carries nothing else (what libraries print
// there goes to stderr), and stderr also gets a fatal protocol error. The process ends when stdin closes (its test
// binary exited). Operations:
//
//   - load: parse Document (the bytes of an OpenAPI file, named Path in
//     messages), add Hidden routes, build the model and validator, validate
//     the document against the OpenAPI meta-schema; returns the Spec id,
//     Operations and SDKMethodNames.
//   - enum, properties: the enum values, or the object properties, of
//     components.schemas[Schema].
//   - request: find the operation of Exchange's request and validate the
//     request; returns its Operation ("METHOD /template", empty when
//     undocumented) and Violations.
//   - response: validate Exchange's response to its request.
//
// A panic in the validator is answered as an Error, not a crash.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// request is one call from internal/contracttest.
type request struct {
	Op       string        `json:"op"`
	Spec     int           `json:"spec,omitempty"`
	Path     string        `json:"path,omitempty"`
	Document []byte        `json:"document,omitempty"`
	Hidden   []hiddenRoute `json:"hidden,omitempty"`
	Schema   string        `json:"schema,omitempty"`
	Exchange *exchange     `json:"exchange,omitempty"`
}

// hiddenRoute is a route the server serves but leaves out of its document,
// with the OpenAPI operation object to add for it.
type hiddenRoute struct {
	Method    string          `json:"method"`
	Path      string          `json:"path"`
	Operation json.RawMessage `json:"operation"`
}

// exchange is one HTTP request and, for the response check, its response.
type exchange struct {
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

// response answers one request.
type response struct {
	Error          string            `json:"error,omitempty"`
	Spec           int               `json:"spec,omitempty"`
	Operations     []string          `json:"operations,omitempty"`
	SDKMethodNames map[string]string `json:"sdk_method_names,omitempty"`
	Values         []string          `json:"values,omitempty"`
	Operation      string            `json:"operation,omitempty"`
	Violations     []string          `json:"violations,omitempty"`
}

func main() {
	// The protocol owns stdout. libopenapi logs to os.Stdout (a JSON slog
	// handler it creates when it needs one), which would put a log line
	// where a response belongs: everything else that writes to os.Stdout
	// goes to stderr.
	protocol := os.Stdout
	os.Stdout = os.Stderr
	if err := serve(os.Stdin, protocol); err != nil {
		fmt.Fprintln(os.Stderr, "contract-validator:", err)
		os.Exit(1)
	}
}

// serve answers requests from in on out until in ends.
func serve(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(bufio.NewReaderSize(in, 1<<20))
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	var specs []*spec
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading a request: %w", err)
		}
		resp := handle(&specs, &req)
		if err := enc.Encode(resp); err != nil {
			return fmt.Errorf("writing a response: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("writing a response: %w", err)
		}
	}
}

// handle runs one request; a panic becomes the response's Error.
func handle(specs *[]*spec, req *request) (resp *response) {
	defer func() {
		if r := recover(); r != nil {
			resp = &response{Error: fmt.Sprintf("validator panicked on %s: %v", req.Op, r)}
		}
	}()
	if req.Op == "load" {
		s, err := load(req.Path, req.Document, req.Hidden)
		if err != nil {
			return &response{Error: err.Error()}
		}
		*specs = append(*specs, s)
		return &response{Spec: len(*specs), Operations: s.operations(), SDKMethodNames: s.sdkMethodNames()}
	}
	if req.Spec < 1 || req.Spec > len(*specs) {
		return &response{Error: fmt.Sprintf("no spec %d (load one first)", req.Spec)}
	}
	s := (*specs)[req.Spec-1]
	switch req.Op {
	case "enum":
		return &response{Values: s.enum(req.Schema)}
	case "properties":
		props, err := s.properties(req.Schema)
		if err != nil {
			return &response{Error: err.Error()}
		}
		return &response{Values: props}
	case "request", "response":
		if req.Exchange == nil {
			return &response{Error: req.Op + ": no exchange"}
		}
		if req.Op == "request" {
			op, violations := s.checkRequest(req.Exchange)
			return &response{Operation: op, Violations: violations}
		}
		return &response{Violations: s.checkResponse(req.Exchange)}
	}
	return &response{Error: fmt.Sprintf("unknown op %q", req.Op)}
}
