package sandbox

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault makes matching requests misbehave, to test a client's error
// handling. A request matches when Method (empty: any) and Path (empty: any)
// match; Path is either the literal request path ("/v1/runs/tsk_1") or the
// route's OpenAPI template ("/v1/runs/{run_id}"). The first matching fault
// added applies.
//
// Latency is waited first (the request's context cuts it short). Then, in
// this order: Drop, Truncate, HTML, Status. A fault with only Latency lets
// the request through to the sandbox afterwards.
type Fault struct {
	// Method is the HTTP method to match, e.g. "POST"; empty matches any.
	Method string
	// Path is a request path or an OpenAPI path template, e.g.
	// "/v1/runs/{run_id}"; empty matches any.
	Path string
	// Status answers with this HTTP status instead of serving the request.
	Status int
	// RetryAfter is sent as the Retry-After header, e.g. "1" (seconds).
	RetryAfter string
	// Body is the answer body; default {"detail":"..."} (or an HTML page with
	// HTML, or half of the real answer with Truncate).
	Body string
	// ContentType of Body; default application/json (text/html with HTML).
	ContentType string
	// Latency delays the request by this long before anything else happens.
	Latency time.Duration
	// Drop closes the connection without any answer. The request is not
	// processed. Needs a real connection (an http.Server or httptest.Server).
	Drop bool
	// Truncate declares the full Content-Length, sends only half the body,
	// and closes the connection. Without Body, the request IS processed by
	// the sandbox (a POST creates its object) and half of its real answer is
	// sent: the case of a lost response.
	Truncate bool
	// HTML answers 200 (or Status) with an HTML error page, as a proxy or a
	// captive portal would.
	HTML bool
	// Times is how many matching requests the fault hits; 0 means until
	// ClearFaults.
	Times int
}

type activeFault struct {
	Fault
	hits int
}

// AddFault installs a fault. It applies to requests received after the call.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Calls returns how many requests with this method (empty: any) were
// received for path, which is either an OpenAPI path template such as
// "/v1/runs/{run_id}" or a literal request path such as "/v1/runs/tsk_1".
// Every request is counted on arrival, before faults and authentication, so
// a test can assert that a POST was sent exactly once.
func (s *Server) Calls(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "" {
		return s.calls[method+" "+path]
	}
	return s.calls[" "+path]
}

// TotalCalls is the number of requests received, whatever their path
// (ResetCalls sets it to zero too).
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[totalKey]
}

// totalKey counts every request in calls.
const totalKey = "*"

// ResetCalls sets every call count to zero.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// record counts a request and returns the fault that applies to it, if any.
func (s *Server) record(method, tmpl, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[totalKey]++
	s.calls[method+" "+tmpl]++
	s.calls[" "+tmpl]++
	if path != tmpl {
		s.calls[method+" "+path]++
		s.calls[" "+path]++
	}
	for i, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.Path != "" && f.Path != tmpl && f.Path != path {
			continue
		}
		f.hits++
		if f.Times > 0 && f.hits >= f.Times {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		fc := f.Fault
		return &fc
	}
	return nil
}

// applyFault performs f and reports whether the request has been answered.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-r.Context().Done():
			t.Stop()
			return true
		case <-t.C:
		}
	}
	switch {
	case f.Drop:
		dropConn(w)
		return true
	case f.Truncate:
		status, ctype, body := f.Status, f.ContentType, []byte(f.Body)
		if len(body) == 0 {
			rec := httptest.NewRecorder()
			s.mux.ServeHTTP(rec, r)
			if status == 0 {
				status = rec.Code
			}
			if ctype == "" {
				ctype = rec.Header().Get("Content-Type")
			}
			body = rec.Body.Bytes()
		}
		if len(body) < 2 {
			body = []byte(`{"detail":"this answer was truncated by a sandbox fault"}`)
		}
		if status == 0 {
			status = http.StatusOK
		}
		if ctype == "" {
			ctype = "application/json"
		}
		truncate(w, status, ctype, f.RetryAfter, body)
		return true
	case f.HTML:
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		body := f.Body
		if body == "" {
			body = fmt.Sprintf(htmlErrorPage, status, http.StatusText(status))
		}
		ctype := f.ContentType
		if ctype == "" {
			ctype = "text/html; charset=utf-8"
		}
		writeRaw(w, status, ctype, f.RetryAfter, []byte(body))
		return true
	case f.Status != 0:
		body := f.Body
		if body == "" {
			body = string(encodeJSON(map[string]string{"detail": fmt.Sprintf("%s (sandbox fault)", http.StatusText(f.Status))}))
		}
		ctype := f.ContentType
		if ctype == "" {
			ctype = "application/json"
		}
		writeRaw(w, f.Status, ctype, f.RetryAfter, []byte(body))
		return true
	}
	return false
}

const htmlErrorPage = `<!DOCTYPE html>
<html><head><title>Gateway error</title></head>
<body><h1>%d %s</h1><p>The upstream server did not answer (Skyvern sandbox fault injection).</p></body></html>
`

// writeHead sends the status line and the headers of a body of length
// bytes.
func writeHead(w http.ResponseWriter, status int, ctype, retryAfter string, length int) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(length))
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	w.WriteHeader(status)
}

func writeRaw(w http.ResponseWriter, status int, ctype, retryAfter string, body []byte) {
	writeHead(w, status, ctype, retryAfter, len(body))
	_, _ = w.Write(body)
}

// dropConn closes the connection without answering. When the connection
// cannot be hijacked (HTTP/2), the handler is aborted, which resets the
// stream.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// truncate sends the status line, headers with the full Content-Length and
// half the body, then closes the connection.
func truncate(w http.ResponseWriter, status int, ctype, retryAfter string, body []byte) {
	half := body[:len(body)/2]
	if hj, ok := w.(http.Hijacker); ok {
		if conn, buf, err := hj.Hijack(); err == nil {
			defer conn.Close()
			writeHalf(buf, status, ctype, retryAfter, len(body), half)
			return
		}
	}
	writeHead(w, status, ctype, retryAfter, len(body))
	_, _ = w.Write(half)
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

func writeHalf(buf *bufio.ReadWriter, status int, ctype, retryAfter string, full int, half []byte) {
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	fmt.Fprintf(buf, "Content-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n", ctype, full)
	if retryAfter != "" {
		fmt.Fprintf(buf, "Retry-After: %s\r\n", retryAfter)
	}
	fmt.Fprintf(buf, "Date: %s\r\n\r\n", time.Now().UTC().Format(http.TimeFormat))
	_, _ = buf.Write(half)
	_ = buf.Flush()
}
