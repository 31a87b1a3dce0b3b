package redact

import (
	"bytes"
	"io"
)

// Writer redacts each write before passing it on: log lines (zerolog
// writes one JSON object per call, redacted as JSON so that it stays
// valid; other text is redacted as text).
type Writer struct {
	w  io.Writer
	fn func() Redactor
}

// NewWriter returns a Writer to w; fn gives the secrets at each write.
func NewWriter(w io.Writer, fn func() Redactor) *Writer { return &Writer{w: w, fn: fn} }

// Write writes p redacted. It reports len(p) written when the redacted
// text was written whole.
func (w *Writer) Write(p []byte) (int, error) {
	r := w.fn()
	var out []byte
	if t := bytes.TrimSpace(p); len(t) > 0 && t[0] == '{' {
		out = r.JSON(p)
	} else {
		out = r.Bytes(p)
	}
	if _, err := w.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
