// Package tools defines the MCP tools of skyvern-mcp: one tool per Skyvern
// SDK operation, named exactly as the Python SDK method (run_task, get_run,
// ...), grouped in toolsets: the default ones (runs, workflows,
// browser_sessions, browser_profiles, credentials, agent) and the opt-in ones
// (folders, custom_llms, tags, schedules, scripts, sdk, admin), each
// described once in toolsets.go. See ToolsetInfos, DefaultToolsets and
// Select.
//
// Each tool's input and output schemas are generated from Go structs by
// package schema. Handlers decode and validate the arguments against the
// input schema, call the typed client, and return structured content with a
// compact JSON text copy. Every failure is a tool result with isError set,
// never a JSON-RPC error, and names what to fix.
package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/redact"
)

// ErrNoAPIKey is returned by Deps.Client when no Skyvern API key is set.
var ErrNoAPIKey = errors.New("no Skyvern API key is configured: set SKYVERN_API_KEY in the environment or in a .env file, " +
	"or pass --api-key-file; get the key from Settings > API Keys at https://app.skyvern.com. " +
	"To try the tools without an account, start the server with --sandbox")

// Deps are what tool handlers need from the server.
type Deps struct {
	// Client returns the Skyvern client for a call, or an error (such as
	// ErrNoAPIKey) that tells the user how to configure one.
	Client func(ctx context.Context) (*client.Client, error)
	// Log receives one line per call (tool, duration, outcome), never
	// arguments or secrets.
	Log zerolog.Logger
	// UploadDir is the only directory upload_file may read a path from; empty
	// disables paths.
	UploadDir string
	// Watcher follows runs for wait_for_completion and tasks: one poller
	// per run, shared with resource subscriptions. When nil, each wait
	// polls on its own, from PollInitial to PollMax.
	Watcher *client.Watcher
	// PollInitial and PollMax bound the polling interval when Watcher is
	// nil (defaults 0.5 s and 10 s).
	PollInitial, PollMax time.Duration
	// WaitTimeout bounds a wait_for_completion call that gives no timeout
	// argument (0: DefaultWaitTimeout, 45 s); the call then returns the run
	// as it is, still going. Task-augmented calls are not bound by it.
	WaitTimeout time.Duration
	// ProgressInterval is the longest time between two progress
	// notifications of a wait (0: DefaultProgressInterval, 5 s).
	ProgressInterval time.Duration
	// CancelRunOnAbort cancels the Skyvern run when the MCP client cancels a
	// waiting call. Off by default: a cancelled call only stops waiting.
	CancelRunOnAbort bool
	// Secrets are the server's own secrets (the API key, the bearer token),
	// removed from every error text, and by RedactOptions from everything
	// the server sends. Set them before the first call.
	Secrets []string
	// OnRun, when set, is told of every run a run tool or get_run returns
	// (package resources lists them as recent runs).
	OnRun func(*client.Run)
	// ResourceLinks adds resource_link content items with skyvern:// URIs
	// to run and artifact results. Set it only when package resources
	// serves those URIs.
	ResourceLinks bool
	// NoResourceLinkItems leaves resource_link content items out of
	// results (some clients render them badly); the run's URIs are still
	// named in the text when ResourceLinks is set.
	NoResourceLinkItems bool
	// MaxResultBytes caps one tool result, in bytes of its JSON encoding
	// (content items and structuredContent); 0 means DefaultMaxResultBytes.
	// Larger results are shortened (see result.go).
	MaxResultBytes int
	// Tasks, when set, runs task-augmented calls of the run tools (see
	// tasks.go); the server must use Tasks.ServerOptions.
	Tasks *Tasks

	secretsOnce sync.Once
	secretSet   *redact.Set
}

// watch follows a run through d.Watcher, or through a watcher of its own
// when there is none.
func (d *Deps) watch(ctx context.Context, c *client.Client, runID string) *client.Follower {
	w := d.Watcher
	if w == nil {
		w = client.NewWatcher(client.WatchOptions{PollInitial: d.PollInitial, PollMax: d.PollMax})
	}
	return w.Watch(ctx, c, runID)
}

func (d *Deps) waitTimeout() time.Duration {
	if d.WaitTimeout > 0 {
		return d.WaitTimeout
	}
	return DefaultWaitTimeout
}

func (d *Deps) progressInterval() time.Duration {
	if d.ProgressInterval > 0 {
		return d.ProgressInterval
	}
	return DefaultProgressInterval
}

// Tool is a tool definition with its toolset and handler.
type Tool struct {
	Tool    mcp.Tool
	Toolset string
	bind    func(*Deps) server.ToolHandlerFunc
	// in and out are the Go types the schemas are generated from (by
	// go generate, see schemas.go); missing is set when the embedded schemas
	// lack this tool.
	in, out reflect.Type
	missing bool
	// declared are the hints the tool was defined with.
	declared hints
}

// Handler returns the tool's handler bound to deps.
func (t Tool) Handler(deps *Deps) server.ToolHandlerFunc { return t.bind(deps) }

// ReadOnly reports whether the tool's readOnlyHint is true.
func (t Tool) ReadOnly() bool {
	return t.Tool.Annotations.ReadOnlyHint != nil && *t.Tool.Annotations.ReadOnlyHint
}

// hints are a tool's four annotations, all set explicitly.
type hints struct{ readOnly, destructive, idempotent, openWorld bool }

// annotations publishes the hints: readOnlyHint always, and each other hint
// only where it differs from the MCP default (destructiveHint true,
// idempotentHint false, openWorldHint true). destructiveHint and
// idempotentHint mean nothing for a read-only tool, so it carries neither.
// The title is the tool's own title field, not repeated here. Every byte is
// sent in each tools/list.
func (h hints) annotations() mcp.ToolAnnotation {
	a := mcp.ToolAnnotation{ReadOnlyHint: mcp.ToBoolPtr(h.readOnly)}
	if !h.readOnly && !h.destructive {
		a.DestructiveHint = mcp.ToBoolPtr(false)
	}
	if !h.readOnly && h.idempotent {
		a.IdempotentHint = mcp.ToBoolPtr(true)
	}
	if !h.openWorld {
		a.OpenWorldHint = mcp.ToBoolPtr(false)
	}
	return a
}

// Hint returns the effective value of an annotation hint: the published
// value, or the MCP default when it is left out.
func Hint(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// readHints are the annotations of tools that only read Skyvern state.
var readHints = hints{readOnly: true, idempotent: true}

// spec describes a tool.
type spec struct {
	name, title, description, toolset string
	hints                             hints
	// maxArgBytes overrides MaxArgumentBytes for this tool (0: the default).
	maxArgBytes int
}

// taskCapable declares taskSupport optional on the run-starting tools.
func taskCapable(t *mcp.Tool) {
	if SupportsTasks(t.Name) {
		t.Execution = &mcp.ToolExecution{TaskSupport: mcp.TaskSupportOptional}
	}
}

// call is the context of one tool call.
type call struct {
	deps   *Deps
	req    mcp.CallToolRequest
	client *client.Client
	// progress counts notifications sent, so progress always increases.
	progress float64
	// task is set for a task-augmented call (Deps.Tasks).
	task *taskState
}

// sendProgress sends notifications/progress when the request carried a
// progress token. The token keeps its JSON type. Failures are ignored: a
// result never depends on a notification arriving.
func (c *call) sendProgress(ctx context.Context, message string) {
	if c.req.Params.Meta == nil || c.req.Params.Meta.ProgressToken == nil {
		return
	}
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return
	}
	c.progress++
	_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
		"progressToken": c.req.Params.Meta.ProgressToken,
		"progress":      c.progress,
		"message":       message,
	})
}

// contentProvider lets an output add content items after the JSON text
// (images, resource links).
type contentProvider interface{ extraContent() []mcp.Content }

// define builds a Tool from a spec and a typed handler. The input and output
// schemas are generated from In and Out by package schema at build time
// (go generate ./tools) and embedded (schemas.go): start-up does no
// reflection, and a test fails when the embedded schemas differ from what
// reflection produces. The argument validator is compiled on first use.
func define[In, Out any](s spec, fn func(ctx context.Context, c *call, in *In) (*Out, error)) Tool {
	in, out, ok := embeddedSchemas(s.name)
	t := mcp.NewToolWithRawSchema(s.name, s.description, in)
	t.Title = s.title
	t.RawOutputSchema = out
	t.Annotations = s.hints.annotations()
	taskCapable(&t)
	p := &pipeline[In, Out]{
		name:   s.name,
		v:      &argValidator{raw: in, name: s.name},
		limits: limitsFor(s, reflect.TypeFor[In]()),
		ids:    idFieldsOf(in),
		shaper: &resultShaper{raw: out},
		fn:     fn,
	}
	return Tool{Tool: t, Toolset: s.toolset, declared: s.hints, in: reflect.TypeFor[In](), out: reflect.TypeFor[Out](), missing: !ok,
		bind: func(deps *Deps) server.ToolHandlerFunc {
			return taskMode(deps, func(ctx context.Context, req mcp.CallToolRequest, task *taskState) (*mcp.CallToolResult, error) {
				return p.handle(ctx, deps, req, task)
			})
		}}
}

// pipeline is one tool's call path, built once by define. Its steps, in
// order: logged (recover and log), decode (limits, IDs, schema, strict
// decoding), call (the Skyvern client and the handler), shape (errors and
// the result); taskMode wraps the whole for task-augmented calls.
type pipeline[In, Out any] struct {
	name   string
	v      *argValidator
	limits argLimits
	ids    idFields
	shaper *resultShaper
	fn     func(ctx context.Context, c *call, in *In) (*Out, error)
}

// handle runs one tools/call through every step.
func (p *pipeline[In, Out]) handle(ctx context.Context, deps *Deps, req mcp.CallToolRequest, task *taskState) (res *mcp.CallToolResult, err error) {
	defer p.logged(ctx, deps, time.Now(), &res)
	input, bad := p.decode(req)
	if bad != nil {
		return bad, nil
	}
	c := &call{deps: deps, req: req, task: task}
	output, err := p.call(ctx, c, input)
	return p.shape(deps, c, output, err)
}

// logged logs the call (tool, duration, error or not, cancelled or not; no
// argument, no result) and turns a panic into an error result. Deferred by
// handle, with res pointing at its result.
func (p *pipeline[In, Out]) logged(ctx context.Context, deps *Deps, start time.Time, res **mcp.CallToolResult) {
	if r := recover(); r != nil {
		deps.Log.Error().Str("tool", p.name).Str("panic", deps.redact(fmt.Sprint(r))).Msg("tool handler panicked")
		*res = mcp.NewToolResultError(fmt.Sprintf("%s failed with an internal error; this is a bug in skyvern-mcp, please report it", p.name))
	}
	isError := *res != nil && (*res).IsError
	ev := deps.Log.Info()
	if isError {
		ev = deps.Log.Warn()
	}
	ev.Str("tool", p.name).Dur("duration", time.Since(start)).Bool("is_error", isError).
		Bool("cancelled", ctx.Err() != nil).Msg("tool call")
}

// decode checks the arguments (size and count limits, ID fields, the input
// schema with nulls as not given, a data_extraction_schema) and decodes them
// strictly into In. A failure is an isError result naming the field.
func (p *pipeline[In, Out]) decode(req mcp.CallToolRequest) (*In, *mcp.CallToolResult) {
	invalid := func(msg string) (*In, *mcp.CallToolResult) {
		return nil, errorResult(p.name, "invalid arguments: "+msg)
	}
	raw, err := rawArguments(req)
	if err != nil {
		return nil, errorResult(p.name, err.Error())
	}
	if err := p.limits.check(raw); err != nil {
		return invalid(err.Error())
	}
	if err := p.ids.check(raw); err != nil {
		return invalid(err.Error())
	}
	if raw, err = p.v.validate(raw); err != nil {
		return invalid(err.Error())
	}
	if err := p.limits.checkExtractionSchema(raw); err != nil {
		return invalid(err.Error())
	}
	input := new(In)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(input); err != nil {
		return invalid(describeDecodeError(err))
	}
	return input, nil
}

// call gets the caller's Skyvern client into c and runs the tool's handler.
func (p *pipeline[In, Out]) call(ctx context.Context, c *call, input *In) (*Out, error) {
	var err error
	if c.client, err = c.deps.Client(ctx); err != nil {
		return nil, err
	}
	return p.fn(ctx, c, input)
}

// shape turns the handler's answer into the tool result: the output within
// the result cap, or an isError result with the error described (redacted,
// the base URL named where it helps). A taskEndError ends a task instead:
// cancelled, or failed with its (redacted) reason.
func (p *pipeline[In, Out]) shape(deps *Deps, c *call, output *Out, err error) (*mcp.CallToolResult, error) {
	var end *taskEndError
	if errors.As(err, &end) {
		if errors.Is(end.err, context.Canceled) {
			return nil, end.err
		}
		return nil, errors.New(deps.redact(end.err.Error()))
	}
	if err != nil {
		base := ""
		if c.client != nil {
			base = c.client.BaseURL()
		}
		return errorResult(p.name, deps.redact(describeError(err, base))), nil
	}
	return p.shaper.result(deps, output)
}

// taskMode runs h directly for a plain call; for a task-augmented one it
// detaches the task's context and ends the task failed (with the reason)
// rather than completed with an error result.
func taskMode(deps *Deps, h func(ctx context.Context, req mcp.CallToolRequest, task *taskState) (*mcp.CallToolResult, error)) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		task := deps.Tasks.state(req)
		if task == nil {
			return h(ctx, req, nil)
		}
		tctx := deps.Tasks.detach(ctx, task)
		defer deps.Tasks.finish(task)
		res, err := h(tctx, req, task)
		if err == nil && res != nil && res.IsError {
			return nil, errors.New(deps.redact(text0(res)))
		}
		return res, err
	}
}

// errorResult is a tool failure the model can read and act on.
func errorResult(tool, msg string) *mcp.CallToolResult {
	return mcp.NewToolResultError(tool + ": " + strings.TrimPrefix(msg, tool+": "))
}

func rawArguments(req mcp.CallToolRequest) ([]byte, error) {
	if len(req.Params.RawArguments) > 0 && !bytes.Equal(bytes.TrimSpace(req.Params.RawArguments), []byte("null")) {
		return req.Params.RawArguments, nil
	}
	if req.Params.Arguments == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(req.Params.Arguments)
	if err != nil {
		return nil, fmt.Errorf("arguments are not JSON: %v", err)
	}
	return b, nil
}

// argValidator checks arguments against the tool's input schema.
type argValidator struct {
	raw  json.RawMessage
	name string
	once sync.Once
	sch  *jsonschema.Schema
	// doc is the decoded input schema (see dropNulls).
	doc map[string]any
	err error
}

// validate checks the arguments against the input schema, after dropping
// null optional properties (see dropNulls), and returns the arguments to
// decode: raw itself, or raw without those nulls.
func (v *argValidator) validate(raw []byte) ([]byte, error) {
	v.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(v.raw))
		if err != nil {
			v.err = err
			return
		}
		v.doc, _ = doc.(map[string]any)
		c := jsonschema.NewCompiler()
		url := "mem:///" + v.name + ".json"
		if err := c.AddResource(url, doc); err != nil {
			v.err = err
			return
		}
		v.sch, v.err = c.Compile(url)
	})
	if v.err != nil {
		return nil, fmt.Errorf("input schema does not compile (a bug): %v", v.err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("arguments are not valid JSON: %v", err)
	}
	args, ok := inst.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("arguments must be a JSON object, got %s", jsonKind(inst))
	}
	changed := false
	if bytes.Contains(raw, []byte("null")) {
		if changed, err = dropNulls(v.doc, args, ""); err != nil {
			return nil, err
		}
	}
	if err := v.sch.Validate(inst); err != nil {
		return nil, errors.New(describeValidation(err))
	}
	if changed {
		// Numbers are json.Number: encoded as they came.
		if raw, err = json.Marshal(args); err != nil {
			return nil, fmt.Errorf("arguments: %v", err)
		}
	}
	return raw, nil
}

var printer = message.NewPrinter(language.English)

// describeValidation lists each failing field with what was expected, e.g.
// "max_steps: got string, want integer".
func describeValidation(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	seen := map[string]bool{}
	var lines []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			field := strings.Join(e.InstanceLocation, ".")
			msg := e.ErrorKind.LocalizedString(printer)
			line := msg
			if field != "" {
				line = field + ": " + msg
			}
			if !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(lines)
	return strings.Join(lines, "; ")
}

func describeDecodeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return err.Error()
}

func jsonKind(v any) string {
	if v == nil {
		return "null"
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Slice:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}

// describeError turns a client error into text that says what happened
// (the status and the server's own words) and what to do, advising only
// what is true of this error. baseURL is the configured Skyvern base URL
// (not secret), named when it looks wrong; may be empty.
func describeError(err error, baseURL string) string {
	var apiErr *client.APIError
	var decErr *client.DecodeError
	switch {
	case errors.As(err, &apiErr):
		msg := fmt.Sprintf("Skyvern answered HTTP %d (%s) to %s %s", apiErr.StatusCode, httpStatusText(apiErr.StatusCode), apiErr.Method, apiErr.Path)
		if apiErr.Attempts > 1 {
			msg += fmt.Sprintf(" (%d attempts)", apiErr.Attempts)
		}
		switch {
		case apiErr.Detail != "":
			msg += ": " + apiErr.Detail
		case apiErr.HTML:
			msg += " with an HTML page"
		}
		if apiErr.NotSkyvern() {
			why := "answers with an HTML page, not Skyvern's JSON API"
			if !apiErr.HTML {
				why = "has no such API route (Skyvern answers 404 with its own message for an unknown ID)"
			}
			return msg + ". " + wrongBaseURL(baseURL, why)
		}
		return msg + ". " + hintFor(apiErr)
	case errors.As(err, &decErr):
		return decErr.Error() + ". " + wrongBaseURL(baseURL, "answered with something other than Skyvern's JSON API (a proxy, a login page or another web site)")
	case errors.Is(err, context.Canceled):
		return "the call was cancelled"
	case client.IsUnreachable(err):
		msg := "Skyvern could not be reached: " + err.Error()
		if n := client.Attempts(err); n > 1 {
			msg += fmt.Sprintf(" (%d attempts)", n)
		}
		return msg + ". " + wrongBaseURL(baseURL, "does not answer (no such host, or nothing listening there)")
	case errors.Is(err, context.DeadlineExceeded):
		return "Skyvern did not answer in time: " + err.Error()
	}
	return err.Error()
}

// wrongBaseURL says the base URL looks wrong, and names it.
func wrongBaseURL(baseURL, why string) string {
	where := "The Skyvern base URL"
	if baseURL != "" {
		where += " " + baseURL
	}
	return where + " " + why + ", so the base URL looks wrong: set --base-url (SKYVERN_BASE_URL) to Skyvern's API root, " +
		"e.g. " + client.CloudBaseURL + " for Skyvern Cloud or " + client.LocalBaseURL + " for a local Skyvern."
}

func hintFor(e *client.APIError) string {
	if h := tagHint(e); h != "" {
		return h
	}
	switch e.StatusCode {
	case 401, 403:
		if e.InvalidCredentials() {
			return "Check that SKYVERN_API_KEY is your Skyvern organization API key (Settings > API Keys at https://app.skyvern.com), not an OpenAI, Anthropic or other LLM provider key, and that it belongs to the organization that owns this resource."
		}
		return "Skyvern refused this request for the reason given above, which is not about the API key."
	case 404:
		return "Check the ID: run IDs start with tsk_, tsk_v2_ or wr_, workflows with wpid_, browser sessions with pbs_, browser profiles with bp_, credentials with cred_, artifacts with a_. List tools (get_workflows, get_browser_sessions, list_browser_profiles, get_credentials, get_run_artifacts) show existing IDs."
	case 409:
		return "Something with that name or state already exists; choose another name or use the existing one."
	case 416:
		return "The requested byte range is outside the artifact."
	case 400, 422:
		return "Fix the fields named above and call again."
	case 429:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("Skyvern is rate limiting; wait %d seconds before trying again.", int(e.RetryAfter.Seconds()+0.5))
		}
		return "Skyvern is rate limiting; wait a little before trying again."
	}
	if e.StatusCode >= 500 {
		if e.Method != http.MethodGet && e.Method != http.MethodHead {
			return "Skyvern had a server error. This request was not retried automatically because it may have taken effect: check (for example with get_run or a list tool) before sending it again."
		}
		if e.Attempts > 1 {
			return fmt.Sprintf("Skyvern had a server error on each of %d attempts; try again later.", e.Attempts)
		}
		return "Skyvern had a server error; try again later."
	}
	return ""
}

func httpStatusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "error"
}

// text0 is the first text content of a result.
func text0(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			return tc.Text
		}
	}
	return "the tool failed"
}
