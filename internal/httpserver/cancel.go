package httpserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// maxCancelled bounds the cancelled requests remembered at once.
const maxCancelled = 4096

// cancelFilter keeps streamable HTTP from answering a request the client
// cancelled with notifications/cancelled: mcp-go (v1.6.0) cancels the
// handler's context but still writes a response. A cancelled request whose
// answer would be a JSON body gets an empty event stream instead (200,
// text/event-stream, no event: the stream ends without a response, as the
// transport allows); on an event stream the response event is dropped and
// every other event (progress) still goes out. Requests are keyed by
// session: without Mcp-Session-Id a cancellation cannot name a request.
type cancelFilter struct {
	mu        sync.Mutex
	cancelled map[cancelKey]bool
	// open are the requests being served; only those can be cancelled.
	open map[cancelKey]int
}

type cancelKey struct{ session, id string }

func newCancelFilter() *cancelFilter {
	return &cancelFilter{cancelled: map[cancelKey]bool{}, open: map[cancelKey]int{}}
}

var cancelledMethod = []byte(mcp.MethodNotificationCancelled)

func (c *cancelFilter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session := r.Header.Get(server.HeaderKeySessionID)
		if r.Method != http.MethodPost || session == "" || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		// mcpChain has read the body into memory already.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, cancelledMethod) {
			c.noteCancel(session, body)
		}
		id := requestID(body)
		if id == "" {
			next.ServeHTTP(w, r)
			return
		}
		key := cancelKey{session, id}
		c.mu.Lock()
		c.open[key]++
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			if c.open[key]--; c.open[key] <= 0 {
				delete(c.open, key)
				delete(c.cancelled, key)
			}
			c.mu.Unlock()
		}()
		next.ServeHTTP(&cancelWriter{ResponseWriter: w, c: c, key: key}, r)
	})
}

// noteCancel records the request a notifications/cancelled names, if it is
// being served.
func (c *cancelFilter) noteCancel(session string, body []byte) {
	var m struct {
		Method string          `json:"method"`
		ID     json.RawMessage `json:"id"`
		Params struct {
			RequestID json.RawMessage `json:"requestId"`
		} `json:"params"`
	}
	if json.Unmarshal(body, &m) != nil || m.Method != string(mcp.MethodNotificationCancelled) || len(m.ID) > 0 {
		return
	}
	id := canonicalID(m.Params.RequestID)
	if id == "" {
		return
	}
	key := cancelKey{session, id}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[key] > 0 && len(c.cancelled) < maxCancelled {
		c.cancelled[key] = true
	}
}

func (c *cancelFilter) isCancelled(key cancelKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cancelled[key]
}

// cancelWriter drops the response to its request once that is cancelled.
type cancelWriter struct {
	http.ResponseWriter
	c           *cancelFilter
	key         cancelKey
	wroteHeader bool
	// swallow drops every body write (a JSON answer replaced by an empty
	// event stream).
	swallow bool
}

func (w *cancelWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	h := w.Header()
	if code == http.StatusOK && strings.HasPrefix(h.Get("Content-Type"), "application/json") && w.c.isCancelled(w.key) {
		w.swallow = true
		h.Set("Content-Type", "text/event-stream")
		h.Del("Content-Length")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(p), nil
	}
	if strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") && answerID(p) == w.key.id && w.c.isCancelled(w.key) {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

func (w *cancelWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *cancelWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
