package client

import (
	"context"
	"sync"
	"time"
)

// Watcher runs one poller per Skyvern run, however many followers (MCP
// tasks, resource subscriptions, wait_for_completion calls) follow it. The
// first follower of a run starts a goroutine that polls GET
// /v1/runs/{run_id} as WaitForRun does (from PollInitial, backing off to
// PollMax, tolerating transient failures); every follower receives each
// new state of the run (status or step count changed) and the final one.
// The poller stops at a final status, after a failure that is not
// transient, or when its last follower stops.
//
// Pollers are keyed by client and run ID: followers share a poller only
// when they use the same *Client (one per server in stdio mode), so a
// caller never sees a run through another caller's key.
type Watcher struct {
	initial, max time.Duration

	mu    sync.Mutex
	polls map[watchKey]*runPoll
}

// WatchOptions configure a Watcher; zero values take WaitForRun's
// defaults (0.5 s to 10 s).
type WatchOptions struct {
	PollInitial, PollMax time.Duration
}

// NewWatcher returns a Watcher.
func NewWatcher(o WatchOptions) *Watcher {
	if o.PollInitial <= 0 {
		o.PollInitial = DefaultPollInitial
	}
	if o.PollMax <= 0 {
		o.PollMax = DefaultPollMax
	}
	if o.PollMax < o.PollInitial {
		o.PollMax = o.PollInitial
	}
	return &Watcher{initial: o.PollInitial, max: o.PollMax, polls: map[watchKey]*runPoll{}}
}

type watchKey struct {
	c     *Client
	runID string
}

type runPoll struct {
	key       watchKey
	followers map[*Follower]struct{}
	last      *Run
	cancel    context.CancelFunc
	done      chan struct{}
}

// RunUpdate is one state of a followed run.
type RunUpdate struct {
	// Run is the run as last seen (nil only when Err comes before any
	// successful poll).
	Run *Run
	// Err ends the updates: the run could not be read (a 4xx, or too many
	// transient failures in a row).
	Err error
}

// Final reports whether the update is the last one.
func (u RunUpdate) Final() bool { return u.Err != nil || (u.Run != nil && u.Run.Status.IsFinal()) }

// Follower receives a run's updates from a Watcher. Updates queue up, so
// a slow follower never holds up the poller or the other followers.
type Follower struct {
	w     *Watcher
	p     *runPoll
	mu    sync.Mutex
	queue []RunUpdate
	ready chan struct{}
}

// Watch follows a run. A follower joining a run already polled gets the
// last state seen at once. ctx's values (not its cancellation) are used by
// the poller when it starts one. Call Stop when done.
func (w *Watcher) Watch(ctx context.Context, c *Client, runID string) *Follower {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := watchKey{c: c, runID: runID}
	p := w.polls[k]
	if p == nil {
		pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		p = &runPoll{key: k, followers: map[*Follower]struct{}{}, cancel: cancel, done: make(chan struct{})}
		w.polls[k] = p
		go w.poll(pctx, p)
	}
	f := &Follower{w: w, p: p, ready: make(chan struct{}, 1)}
	p.followers[f] = struct{}{}
	if p.last != nil {
		f.push(RunUpdate{Run: p.last})
	}
	return f
}

// Pollers reports how many runs are being polled.
func (w *Watcher) Pollers() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.polls)
}

// Close stops every poller and waits for them; followers still waiting get
// no more updates.
func (w *Watcher) Close() {
	w.mu.Lock()
	var done []chan struct{}
	for k, p := range w.polls {
		p.cancel()
		done = append(done, p.done)
		delete(w.polls, k)
	}
	w.mu.Unlock()
	for _, d := range done {
		<-d
	}
}

func (f *Follower) push(u RunUpdate) {
	f.mu.Lock()
	f.queue = append(f.queue, u)
	f.mu.Unlock()
	select {
	case f.ready <- struct{}{}:
	default:
	}
}

// Next returns the next update, waiting for it until ctx ends (then it
// returns context.Cause(ctx)). After a Final update there are no more.
func (f *Follower) Next(ctx context.Context) (RunUpdate, error) {
	for {
		f.mu.Lock()
		if len(f.queue) > 0 {
			u := f.queue[0]
			f.queue = f.queue[1:]
			f.mu.Unlock()
			return u, nil
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return RunUpdate{}, context.Cause(ctx)
		case <-f.ready:
		}
	}
}

// Stop stops following. When it was the run's last follower, the poller
// stops and Stop waits for it to end. Stop may be called more than once.
func (f *Follower) Stop() {
	w, p := f.w, f.p
	w.mu.Lock()
	if _, ok := p.followers[f]; !ok {
		w.mu.Unlock()
		return
	}
	delete(p.followers, f)
	last := len(p.followers) == 0 && w.polls[p.key] == p
	if last {
		delete(w.polls, p.key)
		p.cancel()
	}
	w.mu.Unlock()
	if last {
		<-p.done
	}
}

// deliver sends u to every follower of p; a final update ends the poller.
func (w *Watcher) deliver(p *runPoll, u RunUpdate) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if u.Run != nil {
		p.last = u.Run
	}
	for f := range p.followers {
		f.push(u)
	}
	if u.Final() && w.polls[p.key] == p {
		delete(w.polls, p.key)
	}
}

func (w *Watcher) poll(ctx context.Context, p *runPoll) {
	defer close(p.done)
	defer p.cancel()
	var last *Run
	_, err := p.key.c.pollRun(ctx, p.key.runID, w.initial, w.max, func(run *Run) bool {
		if last == nil || run.Status != last.Status || run.Steps() != last.Steps() || run.Status.IsFinal() {
			last = run
			w.deliver(p, RunUpdate{Run: run})
		}
		return run.Status.IsFinal()
	})
	if err != nil && ctx.Err() == nil {
		w.deliver(p, RunUpdate{Run: last, Err: err})
	}
}
