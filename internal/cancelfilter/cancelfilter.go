// Package cancelfilter keeps a stdio MCP server from answering requests the
// client has cancelled. The MCP specification says a server should not send
// a response to a request after notifications/cancelled for it; mcp-go
// (v1.6.0) cancels the handler's context but still writes a response
// (usually an error), which a strict client reports as a reply to an
// unknown request.
//
// A Filter sits on the newline-delimited JSON-RPC streams of the stdio
// transport: Reader taps the client's messages for notifications/cancelled,
// and Writer drops the server's response to a cancelled request. A
// cancellation that arrives after the response was written changes nothing
// (the response was sent, as the specification allows for that race).
package cancelfilter

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
)

const (
	// maxCancelLine is the longest client line examined for a cancellation:
	// a notifications/cancelled message is small, and longer lines (tool
	// arguments of several MiB) are passed through without being kept.
	maxCancelLine = 4 << 10
	// maxIDs bounds the cancelled and answered request IDs remembered.
	maxIDs = 1024
)

// Filter drops responses to cancelled requests. Create it with New; use
// Reader on the client-to-server stream and Writer on the server-to-client
// stream. It is safe for concurrent use.
type Filter struct {
	mu sync.Mutex
	// cancelled are request IDs cancelled and not yet answered.
	cancelled map[string]bool
	// answered are the IDs of the latest responses sent, so that a late
	// cancellation is not remembered for nothing.
	answered      map[string]bool
	answeredOrder []string
	// dropped counts responses not sent.
	dropped int
}

// New returns an empty Filter.
func New() *Filter {
	return &Filter{cancelled: map[string]bool{}, answered: map[string]bool{}}
}

// Dropped returns how many responses were dropped so far.
func (f *Filter) Dropped() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped
}

// Reader returns r unchanged in content, noting every
// notifications/cancelled it carries.
func (f *Filter) Reader(r io.Reader) io.Reader { return &tapReader{r: r, f: f} }

// Writer returns a writer that passes every line to w except a response to
// a cancelled request. Lines may be split across writes; a partial line is
// held until its newline arrives.
func (f *Filter) Writer(w io.Writer) io.Writer { return &filterWriter{w: w, f: f} }

type tapReader struct {
	r    io.Reader
	f    *Filter
	line []byte
	long bool // the current line is longer than maxCancelLine
}

func (t *tapReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	data := p[:n]
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		chunk := data
		if i >= 0 {
			chunk = data[:i]
		}
		if !t.long {
			if len(t.line)+len(chunk) > maxCancelLine {
				t.long, t.line = true, t.line[:0]
			} else {
				t.line = append(t.line, chunk...)
			}
		}
		if i < 0 {
			break
		}
		if !t.long {
			t.f.noteClientLine(t.line)
		}
		t.line, t.long = t.line[:0], false
		data = data[i+1:]
	}
	if err == io.EOF && !t.long && len(t.line) > 0 {
		t.f.noteClientLine(t.line)
		t.line = t.line[:0]
	}
	return n, err
}

// noteClientLine records the request ID of a notifications/cancelled.
func (f *Filter) noteClientLine(line []byte) {
	if !bytes.Contains(line, []byte(mcp.MethodNotificationCancelled)) {
		return
	}
	var msg struct {
		Method string          `json:"method"`
		ID     json.RawMessage `json:"id"`
		Params struct {
			RequestID json.RawMessage `json:"requestId"`
		} `json:"params"`
	}
	if json.Unmarshal(line, &msg) != nil || msg.Method != string(mcp.MethodNotificationCancelled) || len(msg.ID) > 0 {
		return
	}
	id, ok := idKey(msg.Params.RequestID)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answered[id] || len(f.cancelled) >= maxIDs {
		return
	}
	f.cancelled[id] = true
}

// idKey is a canonical text for a JSON-RPC ID (string or number).
func idKey(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", false
	}
	var id mcp.RequestId
	if json.Unmarshal(raw, &id) != nil || id.IsNil() {
		return "", false
	}
	if _, isString := id.Value().(string); isString {
		return "s:" + id.String(), true
	}
	return "n:" + id.String(), true
}

type filterWriter struct {
	w       io.Writer
	f       *Filter
	pending []byte
}

func (fw *filterWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			fw.pending = append(fw.pending, p...)
			break
		}
		line := p[:i+1]
		if len(fw.pending) > 0 {
			line = append(fw.pending, line...)
		}
		p = p[i+1:]
		if fw.f.pass(line) {
			if _, err := fw.w.Write(line); err != nil {
				fw.pending = fw.pending[:0]
				return 0, err
			}
		}
		fw.pending = fw.pending[:0]
	}
	return n, nil
}

// pass reports whether a server line is sent: everything but a response to
// a cancelled request. Every response's ID is remembered as answered.
func (f *Filter) pass(line []byte) bool {
	id, ok := responseID(line)
	if !ok {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cancelled[id] {
		delete(f.cancelled, id)
		f.dropped++
		return false
	}
	if !f.answered[id] {
		f.answered[id] = true
		f.answeredOrder = append(f.answeredOrder, id)
		if len(f.answeredOrder) > maxIDs {
			delete(f.answered, f.answeredOrder[0])
			f.answeredOrder = f.answeredOrder[1:]
		}
	}
	return true
}

// responseID returns the ID of a JSON-RPC response (a message with an id
// and no method). It reads the top-level keys in order and stops at the
// id when it comes before the result, as mcp-go writes it.
func responseID(line []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	var id json.RawMessage
	isResponse := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		key, _ := tok.(string)
		switch key {
		case "method":
			return "", false
		case "id":
			if err := dec.Decode(&id); err != nil {
				return "", false
			}
		case "result", "error":
			isResponse = true
			if id != nil {
				return idKey(id)
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", false
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", false
			}
		}
		if id != nil && isResponse {
			return idKey(id)
		}
	}
	if !isResponse {
		return "", false
	}
	return idKey(id)
}
