package sandbox

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/cdp"
	"github.com/skyvern-mcp/skyvern-mcp/internal/chromium"
)

// ChromiumAuto, as Options.Chromium, finds Chromium in PATH
// (chromium.Find).
const ChromiumAuto = "auto"

// liveBrowser is the real Chromium of a browser session, closed when the
// session is closed or times out.
type liveBrowser struct {
	b     *chromium.Browser
	timer *time.Timer
	once  sync.Once
}

func (l *liveBrowser) close() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		if l.timer != nil {
			l.timer.Stop()
		}
		l.b.Close()
	})
}

// startBrowser starts the session's Chromium on startURL, closed after
// timeout (the session's lifetime, in real time).
func (s *Server) startBrowser(ctx context.Context, id, startURL string, timeout time.Duration) (*liveBrowser, error) {
	path := s.opts.Chromium
	if path == ChromiumAuto {
		path = ""
	}
	bin, err := chromium.Find(path)
	if err != nil {
		return nil, err
	}
	b, err := chromium.Launch(ctx, bin, startURL)
	if err != nil {
		return nil, err
	}
	l := &liveBrowser{b: b}
	if startURL != "" {
		// Answer once the start page has loaded, as Skyvern does.
		wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		conn, err := cdp.Connect(wctx, b.WSURL, nil, "")
		if err == nil {
			err = cdp.WaitLoaded(wctx, conn)
			conn.Close()
		}
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("the start page %s did not load: %v", startURL, err)
		}
	}
	l.timer = time.AfterFunc(timeout, l.close)
	return l, nil
}

func keyDigest(r *http.Request) [32]byte { return sha256.Sum256([]byte(r.Header.Get("x-api-key"))) }

// serveCDP serves a session's browser_address (/cdp/{id}/json/version and
// the DevTools WebSocket): only to the key that created the session, as
// Skyvern Cloud does; any other key, or none, gets 403.
func (s *Server) serveCDP(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("browser_session_id")
	key := r.Header.Get("x-api-key")
	s.mu.Lock()
	b := s.sessions[id]
	var live *liveBrowser
	var done bool
	ok := b != nil && key != ""
	if ok {
		d := keyDigest(r)
		ok = subtle.ConstantTimeCompare(d[:], b.owner[:]) == 1
	}
	if ok {
		_, done = b.completedAt(s.now())
		live = b.live
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeDetail(w, http.StatusForbidden, "Invalid credentials")
	case done:
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser session %s is no longer running", id))
	case live == nil:
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser session %s has no real browser: the sandbox simulates browsers unless started with Chromium", id))
	default:
		live.b.ServeCDP(w, r, "/cdp/"+id)
	}
}

// CloseBrowsers closes every real browser of the sandbox's sessions.
func (s *Server) CloseBrowsers() {
	s.mu.Lock()
	var ls []*liveBrowser
	for _, b := range s.sessions {
		if b.live != nil {
			ls = append(ls, b.live)
		}
	}
	s.mu.Unlock()
	for _, l := range ls {
		l.close()
	}
}

// sessionBrowser returns the running real browser of a session, or nil.
func (s *Server) sessionBrowser(id string) *liveBrowser {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.sessions[id]
	if !ok || b.live == nil {
		return nil
	}
	if _, done := b.completedAt(s.now()); done {
		return nil
	}
	return b.live
}

//go:embed sdk_page.js
var sdkPageJS string

// errNoLiveResult means the page gave no answer of its own: the static
// result applies.
var errNoLiveResult = errors.New("no live result")

// actOnPage performs an SDK action on the session's real page (the tab at
// url, else the first tab), deterministically (see doc.go), and returns its
// result.
func (l *liveBrowser) actOnPage(ctx context.Context, url string, a *client.SDKAction, raw map[string]any) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := cdp.Connect(ctx, l.b.WSURL, nil, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	args := map[string]any{"type": a.Type, "selector": a.Selector, "intention": a.Intention, "value": a.Value,
		"prompt": a.Prompt, "schema": raw["extract_schema"]}
	j, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	out, err := cdp.EvaluateJSON(ctx, conn, "("+sdkPageJS+")("+string(j)+")")
	if err != nil {
		return nil, err
	}
	var res struct {
		Result   json.RawMessage `json:"result"`
		Error    string          `json:"error"`
		Fallback bool            `json:"fallback"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, err
	}
	switch {
	case res.Error != "":
		return nil, errors.New(res.Error)
	case res.Fallback:
		return nil, errNoLiveResult
	}
	var v any
	if len(res.Result) > 0 {
		if err := json.Unmarshal(res.Result, &v); err != nil {
			return nil, err
		}
	}
	return v, nil
}
