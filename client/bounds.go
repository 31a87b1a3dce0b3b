package client

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Bounds on what the client reads from Skyvern.
const (
	// DefaultMaxResponseBytes bounds a JSON answer: 32 MiB. No MCP message
	// may exceed 10 MiB, so a larger answer could not be passed on anyway.
	DefaultMaxResponseBytes int64 = 32 << 20
	// DefaultMaxContentBytes bounds a streamed artifact or recording:
	// 256 MiB (callers that hold content in memory apply their own,
	// smaller limit).
	DefaultMaxContentBytes int64 = 256 << 20
	// readChunk is the piece size a body of unknown length is read in, so
	// that reading it costs its size in memory, not twice (no doubling
	// buffer).
	readChunk = 1 << 20
)

// WithMaxResponseBytes bounds the bodies read from Skyvern: a JSON answer
// at most jsonBytes (default DefaultMaxResponseBytes) and a streamed
// artifact at most contentBytes (default DefaultMaxContentBytes). A body
// above the bound gives a *TooLargeError: at once when its Content-Length
// says so, else once the bound is passed (at most the bound is held in
// memory). 0 keeps the default.
func WithMaxResponseBytes(jsonBytes, contentBytes int64) Option {
	return func(c *Client) error {
		if jsonBytes < 0 || contentBytes < 0 {
			return errors.New("client: WithMaxResponseBytes: negative bound")
		}
		if jsonBytes > 0 {
			c.maxResponse = jsonBytes
		}
		if contentBytes > 0 {
			c.maxContent = contentBytes
		}
		return nil
	}
}

// TooLargeError is returned when Skyvern's answer is larger than the
// client reads (WithMaxResponseBytes).
type TooLargeError struct {
	Method, Path string
	// Size is the body's size in bytes from its Content-Length, or -1 when
	// Skyvern did not send one (then the body was read up to Limit).
	Size int64
	// Limit is the bound, in bytes.
	Limit int64
	// Content is true for an artifact content stream.
	Content bool
}

func (e *TooLargeError) Error() string {
	what, env := "answer", "SKYVERN_MAX_RESPONSE_BYTES"
	if e.Content {
		what = "content"
	}
	size := fmt.Sprintf("%d bytes", e.Size)
	if e.Size < 0 {
		size = fmt.Sprintf("more than %d bytes (no Content-Length; reading stopped there)", e.Limit)
	}
	msg := fmt.Sprintf("skyvern: %s %s: the %s is %s, above the %d-byte limit", e.Method, e.Path, what, size, e.Limit)
	if !e.Content {
		msg += " (raise it with " + env + " if the answer is legitimate)"
	}
	return msg
}

// readBody reads a JSON answer of at most c.maxResponse bytes.
func (c *Client) readBody(r *request, resp *http.Response) ([]byte, error) {
	limit := c.maxResponse
	tooLarge := func(size int64) error {
		return &TooLargeError{Method: r.method, Path: "/v1" + r.path, Size: size, Limit: limit}
	}
	if resp.ContentLength > limit {
		return nil, tooLarge(resp.ContentLength)
	}
	if resp.ContentLength >= 0 {
		// Known size: one buffer of that size (+1 to see an overrun).
		buf := make([]byte, 0, resp.ContentLength+1)
		for {
			n, err := resp.Body.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if int64(len(buf)) > limit {
				return nil, tooLarge(-1)
			}
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return nil, err
			}
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)] // more than announced: grow
			}
		}
	}
	// Unknown size: read in chunks, join once at the end.
	var chunks [][]byte
	var total int64
	for {
		chunk := make([]byte, readChunk)
		n, err := io.ReadFull(resp.Body, chunk)
		total += int64(n)
		if total > limit {
			return nil, tooLarge(-1)
		}
		chunks = append(chunks, chunk[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	data := make([]byte, 0, total)
	for _, ch := range chunks {
		data = append(data, ch...)
	}
	return data, nil
}

// limitedBody fails a content stream that goes past the bound.
type limitedBody struct {
	io.ReadCloser
	left int64
	err  *TooLargeError
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Look one byte ahead: a body of exactly the bound is fine.
		var one [1]byte
		n, err := b.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, b.err
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// boundContent refuses or wraps a streamed body (artifact content).
func (c *Client) boundContent(r *request, resp *http.Response) error {
	e := &TooLargeError{Method: r.method, Path: "/v1" + r.path, Size: resp.ContentLength, Limit: c.maxContent, Content: true}
	if resp.ContentLength > c.maxContent {
		return e
	}
	e.Size = -1
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: c.maxContent, err: e}
	return nil
}
