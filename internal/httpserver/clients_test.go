package httpserver

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"
)

// quiet discards the mcp-go clients' own logs (a closed server makes them
// complain at Close).
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// mcpClient is an initialized mcp-go client.
type mcpClient struct {
	c *mcpclient.Client
}

func pairs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func initClient(t *testing.T, c *mcpclient.Client) *mcpClient {
	t.Helper()
	// The SSE transport's stream lives as long as Start's context.
	require.NoError(t, c.Start(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.Cleanup(func() { _ = c.Close() })
	_, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: "2025-06-18", ClientInfo: mcp.Implementation{Name: "test", Version: "1"}}})
	require.NoError(t, err)
	return &mcpClient{c: c}
}

// newHTTPClient is a streamable HTTP client of base/mcp sending headers.
func newHTTPClient(t *testing.T, base string, headers ...string) *mcpClient {
	t.Helper()
	c, err := mcpclient.NewStreamableHttpClient(base+"/mcp", transport.WithHTTPHeaders(pairs(headers)), transport.WithHTTPLogger(quiet))
	require.NoError(t, err)
	return initClient(t, c)
}

// newSSEClient is an HTTP+SSE client of base/sse sending headers.
func newSSEClient(t *testing.T, base string, headers ...string) *mcpClient {
	t.Helper()
	c, err := mcpclient.NewSSEMCPClient(base+"/sse", mcpclient.WithHeaders(pairs(headers)), transport.WithSSELogger(quiet))
	require.NoError(t, err)
	return initClient(t, c)
}

// callErr calls a tool and returns its text.
func (m *mcpClient) callErr(ctx context.Context, name string) (string, error) {
	res, err := m.c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name}})
	if err != nil {
		return "", err
	}
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n"), nil
}

func (m *mcpClient) call(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := m.callErr(ctx, name)
	require.NoError(t, err)
	return s
}

// rawSSE is an open GET /sse stream read line by line.
type rawSSE struct {
	resp      *http.Response
	sessionID string
	message   string // the path and query to POST messages to
	mu        sync.Mutex
	lines     []string
	ended     chan struct{}
}

func openSSE(t *testing.T, r *running, headers ...string) *rawSSE {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.base+"/sse", nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	s := &rawSSE{resp: resp, ended: make(chan struct{})}
	endpoint := make(chan string, 1)
	go func() {
		defer close(s.ended)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if data, ok := strings.CutPrefix(line, "data: "); ok && strings.HasPrefix(data, "/message?") {
				endpoint <- data
			}
			s.mu.Lock()
			s.lines = append(s.lines, line)
			s.mu.Unlock()
		}
	}()
	select {
	case s.message = <-endpoint:
	case <-time.After(5 * time.Second):
		t.Fatal("no endpoint event on /sse")
	}
	u, err := url.Parse(s.message)
	require.NoError(t, err)
	s.sessionID = u.Query().Get("sessionId")
	require.NotEmpty(t, s.sessionID)
	t.Cleanup(s.close)
	return s
}

func (s *rawSSE) close() { _ = s.resp.Body.Close() }

// waitFor waits until a line containing sub arrives on the stream.
func (s *rawSSE) waitFor(t *testing.T, sub string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for _, l := range s.lines {
			if strings.Contains(l, sub) {
				s.mu.Unlock()
				return l
			}
		}
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no line containing %q on the SSE stream within %s", sub, timeout)
	return ""
}
