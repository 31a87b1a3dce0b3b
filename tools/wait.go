package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// DefaultWaitTimeout is how long wait_for_completion waits when the call
// gives no timeout: 45 seconds, so that the result (with the run ID) comes
// back before the 60 s after which Claude Desktop, Cursor and the official
// TypeScript SDK cut a call. The run goes on; Deps.WaitTimeout changes it
// (--wait-timeout). The Python SDK's own default, 1800 s, would be cut.
const DefaultWaitTimeout = 45 * time.Second

// DefaultProgressInterval is the longest time between two progress
// notifications of a wait while the run's state does not change: 5 s,
// half of the 10 s a client that resets its timeout on progress may allow.
const DefaultProgressInterval = 5 * time.Second

// WaitArgs are the SDK's wait_for_completion and timeout parameters of the
// run-starting tools.
type WaitArgs struct {
	WaitForCompletion bool     `json:"wait_for_completion,omitempty" jsonschema_description:"Wait for the final run, sending progress."`
	Timeout           *float64 `json:"timeout,omitempty" jsonschema:"minimum=1" jsonschema_description:"Seconds to wait (default 45; the run goes on after)."`
}

// RunResult is a run as returned by the run tools and get_run: the run's
// fields plus a message when waiting stopped before the run finished.
type RunResult struct {
	*client.Run
	// Message says what the result means when it needs saying.
	Message string `json:"message,omitempty"`
	// links adds resource_link content items (Deps.ResourceLinks).
	links bool
}

// seen tells Deps.OnRun of the run and enables resource links when the
// server serves resources.
func (c *call) seen(r *RunResult) *RunResult {
	if r == nil || r.Run == nil {
		return r
	}
	if c.deps.OnRun != nil {
		c.deps.OnRun(r.Run)
	}
	r.links = c.deps.ResourceLinks
	return r
}

// extraContent links the run, its artifacts, its timeline and its
// recording as skyvern:// resources.
func (r *RunResult) extraContent() []mcp.Content {
	if !r.links || r.Run == nil || r.RunID == "" {
		return nil
	}
	id := r.RunID
	out := []mcp.Content{
		mcp.NewResourceLink("skyvern://runs/"+id, id, fmt.Sprintf("Run %s (%s); subscribe to follow its status", id, r.Status), "application/json"),
		mcp.NewResourceLink("skyvern://runs/"+id+"/artifacts", id+" artifacts", "The run's screenshots, HTML, LLM responses and recording, each with its own URI", "application/json"),
	}
	if r.hasTimeline() {
		out = append(out, mcp.NewResourceLink("skyvern://runs/"+id+"/timeline", id+" timeline", "The run's blocks and thoughts", "application/json"))
	}
	if r.RecordingURL != "" {
		out = append(out, mcp.NewResourceLink("skyvern://runs/"+id+"/recording", id+" recording", "The run's video recording", "video/webm"))
	}
	return out
}

func (r *RunResult) hasTimeline() bool {
	return r.RunType.IsWorkflow() || r.RunType == client.RunTypeTaskV2
}

// textNote names the run's resources in text, for clients that show the
// model only text (or whose resource links are turned off): the same URIs
// as the links, plus the output's.
func (r *RunResult) textNote() string {
	if !r.links || r.Run == nil || r.RunID == "" {
		return ""
	}
	base := "skyvern://runs/" + r.RunID
	uris := []string{base + " (the run)"}
	if !r.Output.IsNull() {
		uris = append(uris, base+"/output")
	}
	uris = append(uris, base+"/artifacts")
	if r.hasTimeline() {
		uris = append(uris, base+"/timeline")
	}
	if r.RecordingURL != "" {
		uris = append(uris, base+"/recording")
	}
	return "Resources: " + strings.Join(uris, ", ")
}

// restOf says where the whole of a shortened field is.
func (r *RunResult) restOf(path string) string {
	if r.Run == nil || r.RunID == "" {
		return ""
	}
	switch {
	case r.links && path == "output":
		return "read the resource skyvern://runs/" + r.RunID + "/output"
	case r.links:
		return "read the resource skyvern://runs/" + r.RunID
	}
	return "call get_run on a server with a larger --max-result-bytes, or GET /v1/runs/" + r.RunID + " from Skyvern's API"
}

// startRun runs start, then waits for the run when asked.
func startRun(ctx context.Context, c *call, w WaitArgs, start func(context.Context) (*client.Run, error)) (*RunResult, error) {
	res, err := startAndWait(ctx, c, w, start)
	if err != nil {
		return nil, err
	}
	return c.seen(res), nil
}

func startAndWait(ctx context.Context, c *call, w WaitArgs, start func(context.Context) (*client.Run, error)) (*RunResult, error) {
	run, err := start(ctx)
	if err != nil {
		return nil, err
	}
	if (c.task != nil || w.WaitForCompletion) && c.deps.OnRun != nil {
		// Known at once (resources/list, completions), not only when the
		// wait ends: a client that cuts the call still finds the run.
		c.deps.OnRun(run)
	}
	if c.task != nil {
		return followTask(ctx, c, run)
	}
	if !w.WaitForCompletion {
		return &RunResult{Run: run, Message: fmt.Sprintf("Run %s started (%s). It runs in Skyvern; follow it with get_run or watch it at its app_url.", run.RunID, run.Status)}, nil
	}
	return waitRun(ctx, c, run, w)
}

// waitRun polls the run until it is final, the timeout passes (the call's
// timeout argument, else Deps.WaitTimeout) or the MCP request is
// cancelled. It sends progress at the start, on every new state and at
// least every Deps.ProgressInterval. A wait that ends before the run does
// returns the run as it is, with a message naming the run ID and how to
// follow it; it is not an error.
func waitRun(ctx context.Context, c *call, run *client.Run, w WaitArgs) (*RunResult, error) {
	timeout := c.deps.waitTimeout()
	if w.Timeout != nil {
		timeout = time.Duration(*w.Timeout * float64(time.Second))
	}
	if run.Status.IsFinal() {
		return &RunResult{Run: run, Message: finalMessage(run)}, nil
	}
	start := time.Now()
	c.sendProgress(ctx, progressMessage(run, 0))
	// Progress after every new state while the run goes on, and when the
	// state stays the same for a while. The final state is in the result:
	// mcp-go writes notifications from another goroutine, so one sent now
	// could reach the client after the response.
	last := run
	final, err := follow(ctx, c, run, followOptions{
		timeout: timeout,
		onUpdate: func(r *client.Run) {
			last = r
			if !r.Status.IsFinal() {
				c.sendProgress(ctx, progressMessage(r, time.Since(start)))
			}
		},
		idle: c.deps.progressInterval(),
		onIdle: func() {
			c.sendProgress(ctx, progressMessage(last, time.Since(start)))
		},
	})
	var nf *client.RunNotFinishedError
	if errors.As(err, &nf) {
		if final == nil {
			final = run
		}
		if ctx.Err() != nil {
			// The client cut the call (notifications/cancelled, a closed
			// connection): it may never see the result, so the run ID at
			// least reaches the log.
			c.deps.Log.Warn().Str("tool", c.req.Params.Name).Str("run_id", run.RunID).Str("status", string(final.Status)).
				Dur("waited", nf.Waited).Msg("the client cut a call waiting for a run; the run goes on in Skyvern")
			if c.deps.CancelRunOnAbort {
				cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
				defer cancel()
				if cerr := c.client.CancelRun(cctx, run.RunID); cerr == nil {
					return &RunResult{Run: final, Message: fmt.Sprintf("The call was cancelled, so run %s was cancelled too (--cancel-run-on-abort).", run.RunID)}, nil
				}
			}
		}
		return &RunResult{Run: final, Message: stillGoingMessage(final, run.RunID, nf.Waited, w.Timeout == nil)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run %s was started but following it failed: %w", run.RunID, err)
	}
	return &RunResult{Run: final, Message: finalMessage(final)}, nil
}

// stillGoingMessage says that waiting stopped, that the run goes on, and
// how to follow it without starting it again.
func stillGoingMessage(r *client.Run, runID string, waited time.Duration, defaultBound bool) string {
	msg := fmt.Sprintf("Stopped waiting after %s: run %s is still %s (step %d). It goes on in Skyvern: do not start it again. "+
		"Follow it with get_run {\"run_id\": %q}, read or subscribe to the resource skyvern://runs/%s, or open its app_url.",
		waited.Round(time.Second), runID, r.Status, r.Steps(), runID, runID)
	if defaultBound {
		msg += " To wait longer in one call next time, pass timeout (seconds, if the client allows calls that long) or call the tool as an MCP task, which follows the run to its end."
	}
	return msg
}

// progressMessage is a progress notification's message: the run ID, its
// status, its step count and how long the call has waited.
func progressMessage(r *client.Run, waited time.Duration) string {
	return fmt.Sprintf("%s: %s, step %d, %d s waited", r.RunID, r.Status, r.Steps(), int(waited.Seconds()))
}

func finalMessage(r *client.Run) string {
	switch r.Status {
	case client.RunStatusCompleted:
		return ""
	case client.RunStatusFailed, client.RunStatusTerminated:
		if r.FailureReason != "" {
			return fmt.Sprintf("Run %s ended %s: %s", r.RunID, r.Status, r.FailureReason)
		}
	}
	return fmt.Sprintf("Run %s ended %s.", r.RunID, r.Status)
}

// followRun follows a run through the shared watcher (Deps.Watcher) until
// it is final, calling onUpdate with each new state. Like
// client.WaitForRun, it returns the last run seen and a
// *client.RunNotFinishedError when ctx ends or timeout (if > 0) passes
// first, or the error that ended polling.
func followRun(ctx context.Context, c *call, run *client.Run, timeout time.Duration, onUpdate func(*client.Run)) (*client.Run, error) {
	return follow(ctx, c, run, followOptions{timeout: timeout, onUpdate: onUpdate})
}

// followOptions configure follow.
type followOptions struct {
	// timeout bounds the wait (0: only ctx does).
	timeout time.Duration
	// onUpdate receives each new state of the run.
	onUpdate func(*client.Run)
	// onIdle, when idle > 0, is called whenever idle passes with no new
	// state (since the start, the last state or the last onIdle).
	idle   time.Duration
	onIdle func()
}

// follow is followRun with options.
func follow(ctx context.Context, c *call, run *client.Run, o followOptions) (*client.Run, error) {
	start := time.Now()
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	f := c.deps.watch(ctx, c.client, run.RunID)
	defer f.Stop()
	var last *client.Run
	for {
		u, err := next(ctx, f, o.idle)
		if errors.Is(err, errIdle) {
			if o.onIdle != nil {
				o.onIdle()
			}
			continue
		}
		if err != nil {
			nf := &client.RunNotFinishedError{RunID: run.RunID, Waited: time.Since(start), Err: err}
			if last != nil {
				nf.Status = last.Status
			}
			return last, nf
		}
		if u.Run != nil {
			last = u.Run
		}
		if u.Err != nil {
			return last, u.Err
		}
		if o.onUpdate != nil {
			o.onUpdate(last)
		}
		if last.Status.IsFinal() {
			return last, nil
		}
	}
}

// errIdle is next's error when idle passed with no update.
var errIdle = errors.New("no new state")

// next returns f's next update, or errIdle when idle (if > 0) passes
// first while ctx goes on.
func next(ctx context.Context, f *client.Follower, idle time.Duration) (client.RunUpdate, error) {
	if idle <= 0 {
		return f.Next(ctx)
	}
	ictx, cancel := context.WithTimeoutCause(ctx, idle, errIdle)
	defer cancel()
	u, err := f.Next(ictx)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(ictx), errIdle) {
		return u, errIdle
	}
	return u, err
}
