// Package splice writes large resource payloads into stdio JSON-RPC lines
// without the copies that encoding them with the rest of the message costs.
//
// mcp-go's stdio server encodes a whole response with json.Marshal and
// writes it with fmt.Fprintf: a 7 MiB recording read as a base64 blob was
// held about six times over (the raw bytes, the base64 string, the encoder's
// growing buffer, the marshalled copy, fmt's buffer). With a Writer between
// the stdio server and stdout, a resource handler instead keeps only the raw
// bytes and puts a short placeholder in the response (Blob or Text); when
// the response line is written, the Writer replaces the placeholder with the
// payload, base64-encoded or JSON-escaped in 64 KiB chunks straight to
// stdout. The line sent is byte for byte what json.Marshal would have
// produced for a blob, and valid JSON with the same string value for text.
//
// A placeholder is "skyvern-mcp-splice:" and 32 random hex digits, used
// once. A payload whose line is never written (a cancelled request) is
// forgotten after Expiry.
package splice

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Expiry is how long a payload waits for its response line.
const Expiry = 10 * time.Minute

// prefix starts every placeholder; a placeholder is prefix plus 32 hex digits.
const prefix = "skyvern-mcp-splice:"

const tokenLen = len(prefix) + 32

// chunk is how many raw bytes are encoded per write (a multiple of 3, so
// that base64 chunks concatenate without padding).
const chunk = 48 << 10

type kind int

const (
	blob kind = iota
	text
)

type payload struct {
	raw   []byte
	kind  kind
	timer *time.Timer
}

// Writer passes lines through to the underlying writer, splicing in the
// payloads of the placeholders it finds. It expects each Write to carry
// whole JSON-RPC lines, as mcp-go's stdio server writes them, under the
// server's write lock.
type Writer struct {
	w       io.Writer
	mu      sync.Mutex
	pending map[string]*payload
	n       atomic.Int64
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, pending: map[string]*payload{}}
}

// Blob registers raw bytes to be sent base64-encoded (standard encoding)
// and returns the placeholder to put in a blob field instead.
func (s *Writer) Blob(raw []byte) string { return s.add(raw, blob) }

// Text registers UTF-8 text to be sent JSON-escaped and returns the
// placeholder to put in a text field instead. raw must be valid UTF-8.
func (s *Writer) Text(raw []byte) string { return s.add(raw, text) }

func (s *Writer) add(raw []byte, k kind) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := prefix + hex.EncodeToString(b[:])
	p := &payload{raw: raw, kind: k}
	s.mu.Lock()
	s.pending[token] = p
	s.mu.Unlock()
	s.n.Add(1)
	p.timer = time.AfterFunc(Expiry, func() { s.take(token) })
	return token
}

// Pending is the number of payloads waiting for their line.
func (s *Writer) Pending() int { return int(s.n.Load()) }

func (s *Writer) take(token string) *payload {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pending[token]
	if !ok {
		return nil
	}
	delete(s.pending, token)
	s.n.Add(-1)
	p.timer.Stop()
	return p
}

// Write writes p, replacing each registered placeholder with its payload.
// It reports len(p) written when every part was written.
func (s *Writer) Write(p []byte) (int, error) {
	if s.n.Load() == 0 {
		return s.w.Write(p)
	}
	rest := p
	for {
		i := bytes.Index(rest, []byte(prefix))
		if i < 0 || len(rest)-i < tokenLen {
			break
		}
		pl := s.take(string(rest[i : i+tokenLen]))
		if pl == nil {
			// Not ours (or already sent): pass it through.
			if _, err := s.w.Write(rest[:i+len(prefix)]); err != nil {
				return 0, err
			}
			rest = rest[i+len(prefix):]
			continue
		}
		if _, err := s.w.Write(rest[:i]); err != nil {
			return 0, err
		}
		if err := pl.writeTo(s.w); err != nil {
			return 0, err
		}
		rest = rest[i+tokenLen:]
	}
	if len(rest) > 0 {
		if _, err := s.w.Write(rest); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (p *payload) writeTo(w io.Writer) error {
	var buf []byte
	raw := p.raw
	for len(raw) > 0 {
		n := min(chunk, len(raw))
		if p.kind == text && n < len(raw) {
			for n > 0 && !utf8.RuneStart(raw[n]) {
				n--
			}
		}
		buf = buf[:0]
		if p.kind == blob {
			buf = base64.StdEncoding.AppendEncode(buf, raw[:n])
		} else {
			buf = appendEscaped(buf, raw[:n])
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		raw = raw[n:]
	}
	return nil
}

// appendEscaped appends the JSON string escaping of b (valid UTF-8) without
// the quotes, as encoding/json writes it.
func appendEscaped(dst, b []byte) []byte {
	// json.Marshal of a string never fails; its output is "…".
	enc, _ := json.Marshal(string(b))
	return append(dst, enc[1:len(enc)-1]...)
}

type ctxKey struct{}

// NewContext returns ctx carrying w, for the handlers of requests whose
// responses w writes.
func NewContext(ctx context.Context, w *Writer) context.Context {
	return context.WithValue(ctx, ctxKey{}, w)
}

// FromContext returns the Writer of ctx, or nil when the response is not
// written through one (HTTP transports, in-process clients).
func FromContext(ctx context.Context) *Writer {
	w, _ := ctx.Value(ctxKey{}).(*Writer)
	return w
}
