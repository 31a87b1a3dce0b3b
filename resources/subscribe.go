package resources

import (
	"context"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// subscriptions follows each subscribed run once (through the shared
// client.Watcher, which polls it once for tasks and waits too), whatever
// the number of sessions subscribed to it. Following stops when the run
// reaches a final status, when its last session unsubscribes, and when its
// last session ends. Only skyvern://runs/{run_id} changes are notified;
// subscribing to another URI is accepted (mcp-go cannot refuse it from a hook) but sends
// nothing.
type subscriptions struct {
	r       *Registry
	mu      sync.Mutex
	pollers map[string]*poller // by run ID
	closed  bool
}

type poller struct {
	runID    string
	sessions map[string]bool
	cancel   context.CancelFunc
	done     chan struct{}
}

func newSubscriptions(r *Registry) *subscriptions {
	return &subscriptions{r: r, pollers: map[string]*poller{}}
}

func sessionID(ctx context.Context) string {
	if s := server.ClientSessionFromContext(ctx); s != nil {
		return s.SessionID()
	}
	return ""
}

func (s *subscriptions) afterSubscribe(ctx context.Context, _ any, req *mcp.SubscribeRequest, _ *mcp.EmptyResult) {
	sid := sessionID(ctx)
	ref, err := parseURI(req.Params.URI)
	if sid == "" || err != nil || ref.kind != kindRun {
		s.r.o.Deps.Log.Debug().Str("uri", req.Params.URI).Msg("subscription without updates (only skyvern://runs/{run_id} is polled)")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	p := s.pollers[ref.id]
	if p == nil {
		// The poller outlives the subscribe request but keeps its values
		// (for per-caller clients).
		pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		p = &poller{runID: ref.id, sessions: map[string]bool{}, cancel: cancel, done: make(chan struct{})}
		s.pollers[ref.id] = p
		go s.poll(pctx, p)
	}
	p.sessions[sid] = true
}

func (s *subscriptions) afterUnsubscribe(ctx context.Context, _ any, req *mcp.UnsubscribeRequest, _ *mcp.EmptyResult) {
	ref, err := parseURI(req.Params.URI)
	if err != nil || ref.kind != kindRun {
		return
	}
	s.drop(sessionID(ctx), func(runID string) bool { return runID == ref.id })
}

func (s *subscriptions) sessionEnded(_ context.Context, session server.ClientSession) {
	s.drop(session.SessionID(), func(string) bool { return true })
}

// drop removes a session from the matching pollers and stops those left
// without sessions.
func (s *subscriptions) drop(sid string, match func(runID string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, p := range s.pollers {
		if !match(id) {
			continue
		}
		delete(p.sessions, sid)
		if len(p.sessions) == 0 {
			p.cancel()
			delete(s.pollers, id)
		}
	}
}

func (s *subscriptions) closeAll() {
	s.mu.Lock()
	s.closed = true
	var done []chan struct{}
	for id, p := range s.pollers {
		p.cancel()
		done = append(done, p.done)
		delete(s.pollers, id)
	}
	s.mu.Unlock()
	for _, d := range done {
		<-d
	}
}

// active reports how many runs are followed (for tests).
func (s *subscriptions) active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pollers)
}

// poll follows the run through the watcher and notifies the subscribed
// sessions when its status or step count changes.
func (s *subscriptions) poll(ctx context.Context, p *poller) {
	defer close(p.done)
	defer func() {
		s.mu.Lock()
		if s.pollers[p.runID] == p {
			delete(s.pollers, p.runID)
		}
		s.mu.Unlock()
		p.cancel()
	}()
	log := s.r.o.Deps.Log
	uri := runURI(p.runID)
	c, err := s.r.o.Deps.Client(ctx)
	if err != nil || c == nil {
		log.Warn().Str("run_id", p.runID).Msg("subscription stopped: no Skyvern client")
		return
	}
	f := s.r.o.Watcher.Watch(ctx, c, p.runID)
	defer f.Stop()
	var lastStatus client.RunStatus
	lastSteps := -1
	for {
		u, err := f.Next(ctx)
		if err != nil {
			return
		}
		if u.Err != nil {
			log.Warn().Str("run_id", p.runID).Str("error", s.r.redact(u.Err.Error())).Msg("subscription stopped: the run cannot be read")
			return
		}
		run := u.Run
		s.r.SeeRun(run)
		if lastSteps >= 0 && (run.Status != lastStatus || run.Steps() != lastSteps) {
			s.notify(p, uri)
		}
		lastStatus, lastSteps = run.Status, run.Steps()
		if run.Status.IsFinal() {
			return
		}
	}
}

func (s *subscriptions) notify(p *poller, uri string) {
	s.mu.Lock()
	sessions := make([]string, 0, len(p.sessions))
	for sid := range p.sessions {
		sessions = append(sessions, sid)
	}
	s.mu.Unlock()
	send := s.r.o.Notify
	if send == nil {
		srv := s.r.srv
		if srv == nil {
			return
		}
		send = srv.SendNotificationToSpecificClient
	}
	for _, sid := range sessions {
		if err := send(sid, mcp.MethodNotificationResourceUpdated, map[string]any{"uri": uri}); err != nil {
			s.r.o.Deps.Log.Debug().Str("session", sid).Err(err).Msg("resources/updated not delivered")
		}
	}
}
