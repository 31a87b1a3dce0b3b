package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/internal/cdp"
	"github.com/skyvern-mcp/skyvern-mcp/internal/chromium/chromiumtest"
)

func liveSandbox(t *testing.T) (*sandbox.Multi, string) {
	bin := chromiumtest.Require(t)
	m := sandbox.NewMulti(sandbox.Options{Chromium: bin}, 0)
	srv := httptest.NewServer(m)
	t.Cleanup(func() { m.CloseBrowsers(); srv.Close() })
	return m, srv.URL
}

func keyed(t *testing.T, base, key string) *client.Client {
	c, err := client.New(client.WithBaseURL(base), client.WithAPIKey(key))
	require.NoError(t, err)
	return c
}

func TestLiveSessionServesRealBrowser(t *testing.T) {
	_, base := liveSandbox(t)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Order</title><p>Order total: 42.50</p><p id="status">shipped</p>
<label>Email <input name="email"></label><button onclick="document.getElementById('status').textContent='paid'">Pay now</button>`)
	}))
	t.Cleanup(site.Close)
	ctx := context.Background()
	alice := keyed(t, base, "alice-key")
	sess, err := alice.CreateBrowserSession(ctx, &client.CreateBrowserSessionRequest{URL: site.URL + "/"})
	require.NoError(t, err)
	assert.Equal(t, base+"/cdp/"+sess.BrowserSessionID, sess.BrowserAddress)

	// The creator's key reaches the page the session started on.
	pool := &cdp.Pool{}
	t.Cleanup(pool.Close)
	conn, err := pool.Get(ctx, "alice", sess.BrowserSessionID, func(context.Context) (string, http.Header, error) {
		return sess.BrowserAddress, http.Header{"X-Api-Key": {"alice-key"}}, nil
	})
	require.NoError(t, err)
	info, err := cdp.Info(ctx, conn)
	require.NoError(t, err)
	assert.Equal(t, "Order", info.Title)

	// No key, a wrong key and another caller's key are refused at the proxy.
	for _, key := range []string{"", "wrong", "bob-key"} {
		req, _ := http.NewRequest(http.MethodGet, sess.BrowserAddress+"/json/version", nil)
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "key %q", key)
	}

	// run_sdk_action acts on the real page.
	act := func(a client.SDKAction) any {
		res, err := alice.RunSDKAction(ctx, &client.RunSDKActionRequest{URL: info.URL, BrowserSessionID: sess.BrowserSessionID, Action: a})
		require.NoError(t, err)
		var v any
		require.NoError(t, json.Unmarshal(res.Result, &v))
		return v
	}
	schema := client.RawJSON(`{"type":"object","properties":{"order_total":{"type":"number"},"status":{"type":"string"}}}`)
	assert.Equal(t, map[string]any{"order_total": 42.5, "status": "shipped"}, act(client.SDKAction{Type: client.SDKActionExtract, Prompt: "the order", ExtractSchema: schema}))
	assert.Equal(t, "html > body:nth-of-type(1) > button:nth-of-type(1)", act(client.SDKAction{Type: client.SDKActionClick, Intention: "click Pay now"}))
	assert.Equal(t, map[string]any{"order_total": 42.5, "status": "paid"}, act(client.SDKAction{Type: client.SDKActionExtract, Prompt: "the order", ExtractSchema: schema}))
	assert.Equal(t, true, act(client.SDKAction{Type: client.SDKActionValidate, Prompt: `the status says "paid"`}))
	assert.Equal(t, false, act(client.SDKAction{Type: client.SDKActionValidate, Prompt: `the status says "refunded"`}))

	// Closing the session ends the browser.
	require.NoError(t, alice.CloseBrowserSession(ctx, sess.BrowserSessionID))
	_, err = cdp.Info(ctx, conn)
	require.Error(t, err, "the browser is gone")
}
