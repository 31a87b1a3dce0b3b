package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Defaults of WaitForRun.
const (
	// DefaultPollInitial is the first delay between polls.
	DefaultPollInitial = 500 * time.Millisecond
	// DefaultPollMax is the longest delay between polls, Skyvern's own
	// polling interval: 10 seconds.
	DefaultPollMax = 10 * time.Second
	// maxPollFailures is how many polls in a row may fail transiently.
	maxPollFailures = 5
)

// WaitOptions configures WaitForRun. The zero value polls from 0.5 s up to
// 10 s, with no time limit beyond the context.
type WaitOptions struct {
	// Timeout stops waiting after this long (0: only ctx limits the wait).
	// Waiting stops; the run goes on in Skyvern.
	Timeout time.Duration
	// PollInitial is the first interval between polls (default 0.5 s).
	PollInitial time.Duration
	// PollMax is the longest interval between polls (default 10 s).
	PollMax time.Duration
	// OnPoll is called after every successful poll with the run as seen.
	OnPoll func(*Run)
}

// RunNotFinishedError is returned by WaitForRun when it stops waiting
// (timeout or cancelled context) before the run reached a final status.
// The run keeps going in Skyvern.
type RunNotFinishedError struct {
	RunID  string
	Status RunStatus // the last status seen; empty if no poll succeeded
	Waited time.Duration
	Err    error // context.DeadlineExceeded or context.Canceled (or the cause)
}

func (e *RunNotFinishedError) Error() string {
	status := string(e.Status)
	if status == "" {
		status = "unknown"
	}
	return fmt.Sprintf("run %s is still going (last status %s) after waiting %s: %v; it keeps running in Skyvern, follow it with get_run",
		e.RunID, status, e.Waited.Round(time.Millisecond), e.Err)
}

func (e *RunNotFinishedError) Unwrap() error { return e.Err }

// WaitForRun polls GET /v1/runs/{run_id} until the run reaches a final
// status (completed, failed, terminated, canceled, timed_out; paused is not
// final) and returns it. Polls start fast and back off exponentially to
// opts.PollMax (10 s). Transient poll failures (429, 5xx, dropped
// connections) are tolerated up to 5 in a row; a 4xx such as 404 ends the
// wait at once.
//
// When ctx ends or opts.Timeout passes first, it returns the last run seen
// (possibly nil) and a *RunNotFinishedError. It never cancels the run.
func (c *Client) WaitForRun(ctx context.Context, runID string, opts WaitOptions) (*Run, error) {
	if runID == "" {
		return nil, fmt.Errorf("wait_for_run: run_id is required")
	}
	start := time.Now()
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	last, err := c.pollRun(ctx, runID, opts.PollInitial, opts.PollMax, func(run *Run) bool {
		if opts.OnPoll != nil {
			opts.OnPoll(run)
		}
		return run.Status.IsFinal()
	})
	if err == nil || ctx.Err() == nil {
		return last, err
	}
	return last, c.notFinished(runID, last, start, ctx)
}

func (c *Client) notFinished(runID string, last *Run, start time.Time, ctx context.Context) error {
	e := &RunNotFinishedError{RunID: runID, Waited: time.Since(start), Err: context.Cause(ctx)}
	if last != nil {
		e.Status = last.Status
	}
	return e
}

// pollRun polls GET /v1/runs/{run_id}, first after no delay, then backing
// off exponentially from initial to max (defaults 0.5 s and 10 s), and
// calls onRun with each run read until onRun returns true. Transient
// failures (429, 5xx, dropped connections, non-JSON answers) are tolerated
// up to 5 in a row. It returns the last run read and: nil when onRun said
// stop, ctx's error when ctx ended, or the failure that ended polling.
// WaitForRun and Watcher share it.
func (c *Client) pollRun(ctx context.Context, runID string, initial, max time.Duration, onRun func(*Run) bool) (*Run, error) {
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval, eb.MaxInterval = initial, max
	if eb.InitialInterval <= 0 {
		eb.InitialInterval = DefaultPollInitial
	}
	if eb.MaxInterval <= 0 {
		eb.MaxInterval = DefaultPollMax
	}
	eb.Multiplier, eb.RandomizationFactor = 2, 0.1
	eb.Reset()

	var last *Run
	failures := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-timer.C:
		}
		run, err := c.GetRun(ctx, runID)
		switch {
		case err == nil:
			failures = 0
			last = run
			if onRun(run) {
				return run, nil
			}
		case ctx.Err() != nil:
			return last, ctx.Err()
		case isTransient(err) && failures < maxPollFailures:
			failures++
		default:
			return last, err
		}
		timer.Reset(eb.NextBackOff())
	}
}

// isTransient reports whether a failed poll is worth repeating.
func isTransient(err error) bool {
	var dec *DecodeError
	if errors.As(err, &dec) {
		return true // e.g. a proxy's HTML error page with status 200
	}
	if s := StatusCode(err); s != 0 {
		return s == 429 || s >= 500
	}
	_, retry := retryDelay(err)
	return retry
}
