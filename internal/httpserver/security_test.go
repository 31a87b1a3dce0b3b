package httpserver

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOriginValidation(t *testing.T) {
	for _, transport := range []string{TransportHTTP, TransportSSE} {
		t.Run(transport, func(t *testing.T) {
			r := start(t, newTestTools().mcp, Options{Transport: transport, AllowedOrigins: []string{"https://app.example.com"}})
			path, method, body := "/mcp", http.MethodPost, initBody
			if transport == TransportSSE {
				path, method, body = "/message?sessionId=x", http.MethodPost, `{}`
			}
			for _, origin := range []string{"https://evil.example", "http://app.example.com", "https://app.example.com.evil.example", "null", "file://"} {
				a := r.do(method, path, body, "Origin", origin)
				assert.Equal(t, http.StatusForbidden, a.status, origin)
				assert.Contains(t, a.body, "--allowed-origins", origin)
				assert.Empty(t, a.header.Get("Access-Control-Allow-Origin"), origin)
			}
			a := r.do(http.MethodGet, "/healthz", "", "Origin", "https://evil.example")
			assert.Equal(t, http.StatusForbidden, a.status, "every route checks Origin")

			if transport == TransportHTTP {
				for _, origin := range []string{"", "http://localhost:6274", "http://127.0.0.1:3000", "http://[::1]:8080", "https://APP.example.com"} {
					h := []string{}
					if origin != "" {
						h = []string{"Origin", origin}
					}
					a := r.do(http.MethodPost, "/mcp", initBody, h...)
					assert.Equal(t, http.StatusOK, a.status, "origin %q: %s", origin, a.body)
				}
			}
			// Only listed origins get CORS headers; a preflight needs no token.
			a = r.do(http.MethodOptions, path, "", "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST")
			assert.Equal(t, http.StatusNoContent, a.status)
			assert.Equal(t, "https://app.example.com", a.header.Get("Access-Control-Allow-Origin"))
			assert.Contains(t, a.header.Get("Access-Control-Allow-Headers"), "Mcp-Session-Id")
			assert.Contains(t, a.header.Get("Access-Control-Allow-Headers"), "x-api-key")
			a = r.do(http.MethodGet, "/healthz", "", "Origin", "http://localhost:9999")
			assert.Equal(t, http.StatusOK, a.status)
			assert.Empty(t, a.header.Get("Access-Control-Allow-Origin"), "a loopback origin passes but gets no CORS permission")
		})
	}
}

func TestNonLoopbackBindNeedsAuthentication(t *testing.T) {
	ms := newTestTools().mcp
	for _, addr := range []string{"0.0.0.0:8787", ":8787", "[::]:8787", "192.168.1.10:8787", "example.com:8787"} {
		_, err := New(ms, Options{Transport: TransportHTTP, Addr: addr, MaxBodyBytes: 1 << 20})
		require.Error(t, err, addr)
		for _, fix := range []string{"MCP_AUTH_TOKEN", "--auth-token-file", "x-api-key", "127.0.0.1"} {
			assert.Contains(t, err.Error(), fix, "the error names the fix: %s", addr)
		}
	}
	for _, o := range []Options{
		{Addr: "0.0.0.0:0", AuthToken: "0123456789abcdef0123"},
		{Addr: "0.0.0.0:0", Keys: KeysRequired},
		{Addr: "127.0.0.1:0"},
		{Addr: "localhost:0"},
		{Addr: "[::1]:0"},
		{Addr: "127.0.0.2:0"},
	} {
		o.Transport, o.MaxBodyBytes = TransportSSE, 1<<20
		_, err := New(ms, o)
		assert.NoError(t, err, "%+v", o)
	}
	err := ListenAndServe(context.Background(), ms, Options{Transport: TransportHTTP, Addr: "0.0.0.0:0", MaxBodyBytes: 1 << 20})
	require.Error(t, err, "ListenAndServe refuses before listening")
	assert.Contains(t, err.Error(), "no authentication is configured")
}

func TestBearerToken(t *testing.T) {
	const token = "tok-0123456789abcdef-secret"
	for _, transport := range []string{TransportHTTP, TransportSSE} {
		t.Run(transport, func(t *testing.T) {
			r := start(t, newTestTools().mcp, Options{Transport: transport, AuthToken: token})
			path, body := "/mcp", initBody
			if transport == TransportSSE {
				path = "/message?sessionId=x"
			}
			for name, auth := range map[string]string{
				"missing":     "",
				"wrong":       "Bearer tok-0123456789abcdef-secreT",
				"prefix":      "Bearer tok-0123456789abcdef",
				"basic":       "Basic " + token,
				"bare token":  token,
				"empty token": "Bearer ",
			} {
				h := []string{}
				if auth != "" {
					h = []string{"Authorization", auth}
				}
				a := r.do(http.MethodPost, path, body, h...)
				assert.Equal(t, http.StatusUnauthorized, a.status, name)
				assert.True(t, strings.HasPrefix(a.header.Get("WWW-Authenticate"), `Bearer realm="skyvern-mcp"`), name)
				assert.NotContains(t, a.body, token, name)
			}
			a := r.do(http.MethodPost, path, body, "Authorization", "Bearer tok-wrong-but-long-enough")
			assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="invalid_token"`)

			if transport == TransportHTTP {
				a = r.do(http.MethodPost, "/mcp", initBody, "Authorization", "Bearer "+token)
				assert.Equal(t, http.StatusOK, a.status, a.body)
				a = r.do(http.MethodPost, "/mcp", initBody, "Authorization", "bearer "+token)
				assert.Equal(t, http.StatusOK, a.status, "the scheme is case-insensitive")
			} else {
				s := openSSE(t, r, "Authorization", "Bearer "+token)
				s.close()
			}
			for _, p := range []string{"/healthz", "/readyz"} {
				assert.Equal(t, http.StatusOK, r.do(http.MethodGet, p, "").status, "%s needs no token (probes)", p)
			}
			assert.NotContains(t, r.logs.String(), token)
		})
	}
}

func TestCallerKeyPolicies(t *testing.T) {
	tt := newTestTools()
	required := start(t, tt.mcp, Options{Keys: KeysRequired})
	a := required.do(http.MethodPost, "/mcp", initBody)
	assert.Equal(t, http.StatusUnauthorized, a.status)
	assert.Contains(t, a.header.Get("WWW-Authenticate"), `header="x-api-key"`)
	assert.Contains(t, a.body, "x-api-key")
	a = required.do(http.MethodPost, "/mcp", initBody, "x-api-key", strings.Repeat("k", maxKeyLen+1))
	assert.Equal(t, http.StatusUnauthorized, a.status, "an oversized key is refused")

	c := newHTTPClient(t, required.base, "x-api-key", "sk-alice-1234")
	assert.Contains(t, c.call(t, "whoami"), "key=sk-alice-1234 id=")
	assert.NotContains(t, c.call(t, "whoami"), "id= ", "a caller ID is set")

	ignored := start(t, tt.mcp, Options{Keys: KeysIgnored})
	c = newHTTPClient(t, ignored.base, "x-api-key", "sk-alice-1234")
	assert.Equal(t, "key= id=", c.call(t, "whoami"), "a server with its own key ignores callers' keys")

	optional := start(t, tt.mcp, Options{Keys: KeysOptional})
	assert.Equal(t, "key= id=", newHTTPClient(t, optional.base).call(t, "whoami"))
	bob := newHTTPClient(t, optional.base, "x-api-key", "sk-bob-5678").call(t, "whoami")
	assert.Contains(t, bob, "key=sk-bob-5678 id=")
	assert.Equal(t, bob, newHTTPClient(t, optional.base, "x-api-key", "sk-bob-5678").call(t, "whoami"), "the ID is stable")
	assert.NotEqual(t, bob, newHTTPClient(t, optional.base, "x-api-key", "sk-carol-9").call(t, "whoami"))
}

func TestBodyLimit(t *testing.T) {
	for _, transport := range []string{TransportHTTP, TransportSSE} {
		t.Run(transport, func(t *testing.T) {
			r := start(t, newTestTools().mcp, Options{Transport: transport, MaxBodyBytes: 64 << 10})
			path := "/mcp"
			if transport == TransportSSE {
				path = "/message?sessionId=x"
			}
			big := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`
			a := r.do(http.MethodPost, path, big)
			assert.Equal(t, http.StatusRequestEntityTooLarge, a.status, a.body)
			assert.Contains(t, a.body, "65536 bytes")

			// Without Content-Length (a body of unknown length is sent
			// chunked), the limit holds while reading.
			req, err := http.NewRequest(http.MethodPost, r.base+path, struct{ *strings.Reader }{strings.NewReader(big)})
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		})
	}
	r := start(t, newTestTools().mcp, Options{MaxBodyBytes: 64 << 10})
	a := r.do(http.MethodPost, "/mcp", initBody)
	assert.Equal(t, http.StatusOK, a.status, "a body within the limit passes")
}

// TestBodyLimitAboveMCPGoDefault: mcp-go caps request bodies at 4 MiB
// unless told otherwise; a 5 MiB tools/call under our 8 MiB limit reaches
// the tool on both transports.
func TestBodyLimitAboveMCPGoDefault(t *testing.T) {
	const pad = 5 << 20
	for _, transport := range []string{TransportHTTP, TransportSSE} {
		t.Run(transport, func(t *testing.T) {
			r := start(t, newTestTools().mcp, Options{Transport: transport, MaxBodyBytes: 8 << 20})
			var c *mcpClient
			if transport == TransportSSE {
				c = newSSEClient(t, r.base)
			} else {
				c = newHTTPClient(t, r.base)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			res, err := c.c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "size", Arguments: map[string]any{"pad": strings.Repeat("x", pad)}}})
			require.NoError(t, err)
			require.Len(t, res.Content, 1)
			assert.Equal(t, "pad="+strconv.Itoa(pad), res.Content[0].(mcp.TextContent).Text)
		})
	}
}

func TestHealthAndReadiness(t *testing.T) {
	var mu = make(chan struct{}, 1)
	var readyErr error
	setReady := func(err error) { mu <- struct{}{}; readyErr = err; <-mu }
	r := start(t, newTestTools().mcp, Options{Ready: func(context.Context) error {
		mu <- struct{}{}
		defer func() { <-mu }()
		return readyErr
	}})
	a := r.do(http.MethodGet, "/healthz", "")
	assert.Equal(t, http.StatusOK, a.status)
	assert.JSONEq(t, `{"status":"ok"}`, a.body)
	a = r.do(http.MethodGet, "/readyz", "")
	assert.Equal(t, http.StatusOK, a.status)
	assert.JSONEq(t, `{"status":"ready"}`, a.body)
	assert.Equal(t, http.StatusMethodNotAllowed, r.do(http.MethodPost, "/healthz", "{}").status)
	assert.Equal(t, http.StatusNotFound, r.do(http.MethodGet, "/sse", "").status, "streamable HTTP serves no /sse")

	setReady(context.DeadlineExceeded)
	r.srv.ready.mu.Lock()
	r.srv.ready.at = time.Time{} // skip the cache
	r.srv.ready.mu.Unlock()
	a = r.do(http.MethodGet, "/readyz", "")
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.JSONEq(t, `{"status":"unavailable","reason":"context deadline exceeded"}`, a.body)
	assert.Equal(t, http.StatusOK, r.do(http.MethodGet, "/healthz", "").status, "alive while not ready")
}

func TestListeningLogLine(t *testing.T) {
	r := start(t, newTestTools().mcp, Options{AuthToken: "0123456789abcdef-token"})
	require.Eventually(t, func() bool { return strings.Contains(r.logs.String(), `"listening"`) }, 5*time.Second, 10*time.Millisecond)
	logs := r.logs.String()
	assert.Contains(t, logs, `"message":"listening"`)
	assert.Contains(t, logs, `"addr":"`+strings.TrimPrefix(r.base, "http://")+`"`)
	assert.Contains(t, logs, `"bearer_auth":true`)
	assert.NotContains(t, logs, "0123456789abcdef-token")
	var _ server.SessionIdManagerResolver = r.srv.sessions // the store is mcp-go's resolver
}

// TestSlowBodyTimesOut: a client that stops sending its body gets 400 once
// the body read deadline passes, and the connection's deadline is lifted for
// the next request.
func TestSlowBodyTimesOut(t *testing.T) {
	old := bodyReadTimeout
	bodyReadTimeout = 300 * time.Millisecond
	t.Cleanup(func() { bodyReadTimeout = old })
	r := start(t, newTestTools().mcp, Options{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the server answers instead of waiting forever")
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// A normal request after the deadline was set elsewhere still works,
	// including a call that lasts longer than the body deadline.
	tt := newTestTools()
	r = start(t, tt.mcp, Options{})
	c := newHTTPClient(t, r.base)
	res := callAsync(c, "block")
	waitStarted(t, tt)
	time.Sleep(2 * bodyReadTimeout)
	close(tt.release)
	got := <-res
	require.NoError(t, got.err)
	assert.Equal(t, "released", got.text)
}
