package resources

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/splice"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

// TestDefaultCapReadsLargeRecordings: with the default options a 12 MiB
// recording is read (the cap is 20 MiB of content, not 10 MiB as sent).
func TestDefaultCapReadsLargeRecordings(t *testing.T) {
	h := newHarness(t, opts{recording: 12 << 20})
	assert.EqualValues(t, 20<<20, h.reg.MaxResourceBytes())
	runID := h.startRun(true, "Record something")
	rc, err := h.read("skyvern://runs/" + runID + "/recording")
	require.NoError(t, err)
	blob, ok := rc.(mcp.BlobResourceContents)
	require.True(t, ok, "%T", rc)
	raw, err := base64.StdEncoding.DecodeString(blob.Blob)
	require.NoError(t, err)
	assert.Len(t, raw, 12<<20)
	assert.Equal(t, []byte{0x1a, 0x45, 0xdf, 0xa3}, raw[:4], "EBML magic")
}

// TestCapIsContentBytes: the cap compares with the artifact's size, not its
// base64: a 3 MiB recording passes a 3 MiB cap and fails a 3 MiB - 1 cap,
// with the signed URL in the error.
func TestCapIsContentBytes(t *testing.T) {
	h := newHarness(t, opts{recording: 3 << 20, maxBytes: 3 << 20})
	runID := h.startRun(true, "Record something")
	_, err := h.read("skyvern://runs/" + runID + "/recording")
	require.NoError(t, err)

	h = newHarness(t, opts{recording: 3 << 20, maxBytes: 3<<20 - 1})
	runID = h.startRun(true, "Record something")
	_, err = h.read("skyvern://runs/" + runID + "/recording")
	require.ErrorContains(t, err, "3145728 bytes; the limit is 3145727 bytes of content")
	assert.Contains(t, err.Error(), "/content?token=")
}

// bigSchema asks the sandbox for an output of about n KB.
func bigSchema(n int) map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{
		"rows": map[string]any{"type": "array", "minItems": n, "items": map[string]any{"type": "string", "minLength": 1000}},
	}}
}

// TestOutputResource: skyvern://runs/{run_id}/output is the run's output
// alone, as JSON.
func TestOutputResource(t *testing.T) {
	h := newHarness(t, opts{})
	res := h.callTool("run_task", map[string]any{"prompt": "extract", "data_extraction_schema": bigSchema(50), "wait_for_completion": true})
	runID := res.StructuredContent.(map[string]any)["run_id"].(string)
	run, err := h.c.GetRun(context.Background(), runID)
	require.NoError(t, err)
	out := h.readJSON("skyvern://runs/" + runID + "/output")
	rows, ok := out["rows"].([]any)
	require.True(t, ok, "%v", out)
	assert.Len(t, rows, 50)
	want, err := json.Marshal(run.Output)
	require.NoError(t, err)
	got, err := json.Marshal(out)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))

	_, err = h.read("skyvern://runs/tsk_nope/output")
	require.ErrorContains(t, err, "not found")
}

// stdioServer serves h over a real stdio server whose stdout goes through
// a splice.Writer, as main does.
type stdioServer struct {
	in  *io.PipeWriter
	out *bufio.Reader
	id  int
}

func newStdioServer(t testing.TB, h *harness) *stdioServer {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	sp := splice.NewWriter(outW)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.NewStdioServer(h.srv).Listen(splice.NewContext(ctx, sp), inR, sp)
	}()
	t.Cleanup(func() { cancel(); _ = inW.Close(); _ = outR.Close(); <-done })
	s := &stdioServer{in: inW, out: bufio.NewReaderSize(outR, 1<<20)}
	s.call(t, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "t", "version": "1"}})
	return s
}

// call sends a request and returns its response line.
func (s *stdioServer) call(t testing.TB, method string, params any) []byte {
	s.id++
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": s.id, "method": method, "params": params})
	require.NoError(t, err)
	_, err = s.in.Write(append(b, '\n'))
	require.NoError(t, err)
	want := []byte(fmt.Sprintf(`"id":%d,`, s.id))
	for {
		line, err := s.out.ReadBytes('\n')
		require.NoError(t, err)
		if bytes.Contains(line[:min(len(line), 40)], want) {
			return line
		}
	}
}

// TestStdioReadIsSpliced: over stdio, a recording and a JSON resource come
// back whole and exactly as the in-process read gives them, with no
// placeholder left behind.
func TestStdioReadIsSpliced(t *testing.T) {
	h := newHarness(t, opts{recording: 3 << 20})
	runID := h.startRun(true, "Record something")
	s := newStdioServer(t, h)
	for _, uri := range []string{"skyvern://runs/" + runID + "/recording", "skyvern://runs/" + runID, "skyvern://runs/" + runID + "/output"} {
		line := s.call(t, "resources/read", map[string]any{"uri": uri})
		assert.NotContains(t, string(line), "skyvern-mcp-splice:", uri)
		var resp struct {
			Result struct {
				Contents []struct {
					URI  string  `json:"uri"`
					Blob *string `json:"blob"`
					Text *string `json:"text"`
				} `json:"contents"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal(line, &resp), uri)
		require.Len(t, resp.Result.Contents, 1, uri)
		got := resp.Result.Contents[0]
		assert.Equal(t, uri, got.URI)
		want, err := h.read(uri)
		require.NoError(t, err)
		switch w := want.(type) {
		case mcp.BlobResourceContents:
			require.NotNil(t, got.Blob, uri)
			assert.Equal(t, len(w.Blob), len(*got.Blob), uri)
			assert.True(t, w.Blob == *got.Blob, uri)
		case mcp.TextResourceContents:
			require.NotNil(t, got.Text, uri)
			var a, b any
			require.NoError(t, json.Unmarshal([]byte(w.Text), &a))
			require.NoError(t, json.Unmarshal([]byte(*got.Text), &b))
			if m, ok := a.(map[string]any); ok && m["run_id"] != nil { // modified_at may differ between reads
				assert.Equal(t, m["run_id"], b.(map[string]any)["run_id"], uri)
			} else {
				assert.Equal(t, a, b, uri)
			}
		}
	}
}

// BenchmarkStdioArtifactRead reads a 7 MiB video artifact as
// skyvern://artifacts/{artifact_id} through a stdio server writing to a
// splice.Writer, against a bare HTTP server that serves the bytes, and
// reports the bytes the read allocates as a multiple of the artifact's size
// (alloc-x). Spliced, the content is held once (about 1×); the "plain"
// sub-benchmark, without a splice.Writer, shows what mcp-go's encoding and
// stdio writer cost otherwise (about 8×).
func BenchmarkStdioArtifactRead(b *testing.B) {
	const size = 7 << 20
	content := bytes.Repeat([]byte{0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4}, size/8)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/artifacts/a_bench/content" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "video/webm")
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		_, _ = w.Write(content)
	}))
	defer api.Close()
	c, err := client.New(client.WithBaseURL(api.URL), client.WithAPIKey(testKey))
	require.NoError(b, err)
	for _, spliced := range []bool{true, false} {
		name := "spliced"
		if !spliced {
			name = "plain"
		}
		b.Run(name, func(b *testing.B) {
			deps := &tools.Deps{Client: func(context.Context) (*client.Client, error) { return c, nil }, Log: zerolog.Nop()}
			reg := New(Options{Deps: deps})
			defer reg.Close()
			srv := server.NewMCPServer("bench", "1", reg.ServerOptions()...)
			reg.Register(srv)
			inR, inW := io.Pipe()
			lines := make(chan int, 1)
			out := &lineWriter{lines: lines}
			var w io.Writer = out
			ctx, cancel := context.WithCancel(context.Background())
			if spliced {
				sp := splice.NewWriter(out)
				w, ctx = sp, splice.NewContext(ctx, sp)
			}
			done := make(chan struct{})
			go func() { defer close(done); _ = server.NewStdioServer(srv).Listen(ctx, inR, w) }()
			defer func() { cancel(); _ = inW.Close(); <-done }()
			id := 0
			call := func(method string, params any) int {
				id++
				msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
				_, _ = inW.Write(append(msg, '\n'))
				return <-lines
			}
			call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "b", "version": "1"}})
			read := map[string]any{"uri": "skyvern://artifacts/a_bench"}
			require.Greater(b, call("resources/read", read), size*4/3)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				call("resources/read", read)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/size, "alloc-x")
		})
	}
}

// lineWriter discards what is written and sends the length of each line
// when its newline arrives.
type lineWriter struct {
	lines chan int
	n     int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		l.n++
		if c == '\n' {
			l.lines <- l.n
			l.n = 0
		}
	}
	return len(p), nil
}
