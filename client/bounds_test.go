package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const hugeAnswer = 200 << 20 // 200 MB

// hugeRun streams a 200 MB get_run answer (a run whose output is one long
// string) without holding it: with Content-Length when sized is true, else
// chunked.
func hugeRun(sized bool) http.HandlerFunc {
	head := []byte(`{"run_id":"tsk_1","status":"completed","created_at":"x","modified_at":"x","run_type":"task_v1","output":"`)
	tail := []byte(`"}`)
	filler := bytes.Repeat([]byte("A"), 64<<10)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if sized {
			w.Header().Set("Content-Length", strconv.Itoa(hugeAnswer))
		}
		_, _ = w.Write(head)
		left := hugeAnswer - len(head) - len(tail)
		for left > 0 {
			n := min(left, len(filler))
			if _, err := w.Write(filler[:n]); err != nil {
				return // the client stopped reading
			}
			left -= n
		}
		_, _ = w.Write(tail)
	}
}

// allocated returns the bytes allocated by f (all goroutines; the test
// runs alone).
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeAnswerIsRefusedWithinMemoryBound: a 200 MB answer to get_run
// fails with an error naming its size and the limit, and reading it
// allocates less than 100 MB in all (the whole body was 3.4 GB of memory
// before the bound).
func TestHugeAnswerIsRefusedWithinMemoryBound(t *testing.T) {
	for _, sized := range []bool{true, false} {
		srv := httptest.NewServer(hugeRun(sized))
		c, err := New(WithBaseURL(srv.URL), WithAPIKey("k"), WithRetries(0, 0))
		require.NoError(t, err)
		var callErr error
		alloc := allocated(func() { _, callErr = c.GetRun(context.Background(), "tsk_1") })
		srv.Close()
		var tl *TooLargeError
		require.ErrorAs(t, callErr, &tl, "sized=%v", sized)
		assert.Equal(t, DefaultMaxResponseBytes, tl.Limit)
		if sized {
			assert.Equal(t, int64(hugeAnswer), tl.Size)
			assert.Equal(t, "skyvern: GET /v1/runs/tsk_1: the answer is 209715200 bytes, above the 33554432-byte limit (raise it with SKYVERN_MAX_RESPONSE_BYTES if the answer is legitimate)", callErr.Error())
			assert.Less(t, alloc, uint64(1<<20), "refused from its Content-Length, before reading")
		} else {
			assert.Equal(t, int64(-1), tl.Size)
			assert.Contains(t, callErr.Error(), "more than 33554432 bytes")
			assert.Contains(t, callErr.Error(), "33554432-byte limit")
		}
		assert.Less(t, alloc, uint64(100<<20), "sized=%v: allocated %d bytes", sized, alloc)
	}
}

// TestAnswerWithinBoundIsRead: answers up to the bound are read whole,
// sized or chunked, and one byte more is refused.
func TestAnswerWithinBoundIsRead(t *testing.T) {
	body := `{"run_id":"tsk_1","status":"completed","created_at":"x","modified_at":"x","run_type":"task_v1","output":"` + strings.Repeat("b", 3<<20) + `"}`
	for _, sized := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if sized {
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			}
			_, _ = io.WriteString(w, body[:10])
			w.(http.Flusher).Flush() // chunked unless sized
			_, _ = io.WriteString(w, body[10:])
		}))
		c, err := New(WithBaseURL(srv.URL), WithRetries(0, 0), WithMaxResponseBytes(int64(len(body)), 0))
		require.NoError(t, err)
		run, err := c.GetRun(context.Background(), "tsk_1")
		require.NoError(t, err, "sized=%v", sized)
		assert.Equal(t, "tsk_1", run.RunID)
		c, err = New(WithBaseURL(srv.URL), WithRetries(0, 0), WithMaxResponseBytes(int64(len(body))-1, 0))
		require.NoError(t, err)
		_, err = c.GetRun(context.Background(), "tsk_1")
		var tl *TooLargeError
		require.ErrorAs(t, err, &tl, "sized=%v", sized)
		srv.Close()
	}
}

// TestArtifactContentIsBounded: an artifact stream above the content bound
// is refused from its Content-Length, or fails once the bound is passed.
func TestArtifactContentIsBounded(t *testing.T) {
	for _, sized := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "video/webm")
			if sized {
				w.Header().Set("Content-Length", "2000")
			}
			_, _ = w.Write(bytes.Repeat([]byte{1}, 1000))
			w.(http.Flusher).Flush() // chunked unless sized
			_, _ = w.Write(bytes.Repeat([]byte{1}, 1000))
		}))
		c, err := New(WithBaseURL(srv.URL), WithRetries(0, 0), WithMaxResponseBytes(0, 1000))
		require.NoError(t, err)
		content, err := c.GetArtifact(context.Background(), "a_1", nil)
		var tl *TooLargeError
		if sized {
			require.ErrorAs(t, err, &tl)
			assert.Equal(t, "skyvern: GET /v1/artifacts/a_1/content: the content is 2000 bytes, above the 1000-byte limit", err.Error())
		} else {
			require.NoError(t, err)
			data, err := io.ReadAll(content.Body)
			_ = content.Body.Close()
			require.ErrorAs(t, err, &tl)
			assert.Len(t, data, 1000)
		}
		// exactly the bound passes
		c, _ = New(WithBaseURL(srv.URL), WithRetries(0, 0), WithMaxResponseBytes(0, 2000))
		content, err = c.GetArtifact(context.Background(), "a_1", nil)
		require.NoError(t, err)
		data, err := io.ReadAll(content.Body)
		_ = content.Body.Close()
		require.NoError(t, err)
		assert.Len(t, data, 2000)
		srv.Close()
	}
}
