package httpserver

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// healthz answers 200 while the process serves requests.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	writeStatus(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when Skyvern (or the sandbox) answers, 503 with the
// reason otherwise, and 503 while shutting down.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if s.draining.Load() {
		writeStatus(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "shutting down"})
		return
	}
	if err := s.ready.get(r.Context()); err != nil {
		writeStatus(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		return
	}
	writeStatus(w, http.StatusOK, map[string]string{"status": "ready"})
}

func writeStatus(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// readiness runs the check at most once per readyCache and never more than
// one at a time.
type readiness struct {
	check func(context.Context) error
	mu    sync.Mutex
	at    time.Time
	err   error
}

func (r *readiness) get(ctx context.Context) error {
	if r.check == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() && time.Since(r.at) < readyCache {
		return r.err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
	defer cancel()
	r.err = r.check(cctx)
	r.at = time.Now()
	return r.err
}
