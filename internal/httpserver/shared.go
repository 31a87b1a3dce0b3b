package httpserver

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/skyvern-mcp/skyvern-mcp/internal/shared"
)

// Shared state (Options.Shared, --redis-url): sessions are recorded in
// Redis when minted and checked there on every request, so a session opened
// on one replica is valid on all; a replica adopts a session it has not
// seen into its local store (admission limits and idle eviction stay per
// replica). A client's DELETE ends the session in Redis and tells every
// replica, which forgets it and closes its GET streams.

// sharedContext adds what shared state needs to a request's context: a
// task slot for POSTs, a way to end GET streams.
func (s *Server) sharedContext(ctx context.Context, r *http.Request, scope *requestScope) context.Context {
	switch r.Method {
	case http.MethodGet:
		ctx, scope.stop = context.WithCancel(ctx)
	case http.MethodPost:
		if s.o.SharedTasks != nil {
			ctx = shared.WithSlot(ctx)
		}
	}
	return ctx
}

// createShared records a new session in Redis. Should Redis fail, the
// session lives on this replica only (logged).
func (st *sessionStore) createShared(ctx context.Context, id string) {
	if err := st.shared.CreateSession(context.WithoutCancel(ctx), id, shared.CallerHash(callerWho(ctx))); err != nil {
		st.log.Warn().Err(err).Msg("session not recorded in Redis: it is valid on this replica only")
	}
}

func (st *sessionStore) deleteShared(ctx context.Context, id string) error {
	return st.shared.DeleteSession(context.WithoutCancel(ctx), id)
}

// enterShared checks session id in Redis (restarting its idle TTL) and
// adopts it here when it was opened on another replica. A session gone from
// Redis (deleted elsewhere, expired) is forgotten here too.
func (st *sessionStore) enterShared(ctx context.Context, id, caller string) bool {
	ok, err := st.shared.TouchSession(ctx, id, shared.CallerHash(callerWho(ctx)))
	if err != nil {
		st.log.Warn().Err(err).Msg("Redis did not answer a session check")
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !ok {
		st.removeHTTPLocked(id)
		return false
	}
	if _, known := st.http[id]; !known {
		quota := st.claimLocked(nil, id)
		st.http[id] = &httpSession{caller: caller, quota: quota, last: st.now()}
	}
	return true
}

// onShared acts on what other replicas (and this one) publish.
func (s *Server) onShared(m shared.Message) {
	st := s.sessions
	switch m.Kind {
	case "deleted":
		st.mu.Lock()
		_, known := st.http[m.Session]
		st.removeHTTPLocked(m.Session)
		var stops []context.CancelFunc
		for sc := range st.streams[m.Session] {
			stops = append(stops, sc.stop)
		}
		st.mu.Unlock()
		for _, stop := range stops {
			stop()
		}
		if known {
			s.mcp.UnregisterSession(context.Background(), m.Session)
		}
	case "notify":
		st.mu.Lock()
		held := len(st.streams[m.Session]) > 0
		st.mu.Unlock()
		if !held {
			return
		}
		var params map[string]any
		if len(m.Params) > 0 && json.Unmarshal(m.Params, &params) != nil {
			return
		}
		if err := s.mcp.SendNotificationToSpecificClient(m.Session, m.Method, params); err != nil {
			s.o.Log.Debug().Err(err).Str("method", m.Method).Msg("shared notification not delivered")
		}
	}
}

// methodOf returns a JSON-RPC message's method, or "".
func methodOf(body []byte) string {
	var m struct {
		Method string `json:"method"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	return m.Method
}
