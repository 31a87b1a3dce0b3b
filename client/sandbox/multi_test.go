package sandbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func multiClient(t *testing.T, url, key string) *client.Client {
	t.Helper()
	c, err := client.New(client.WithBaseURL(url), client.WithAPIKey(key), client.WithRetries(0, 0))
	require.NoError(t, err)
	return c
}

func TestMultiKeepsStatePerKey(t *testing.T) {
	m := sandbox.NewMulti(sandbox.Options{RunDuration: -1, APIKey: "ignored"}, 0)
	ts := httptest.NewServer(m)
	defer ts.Close()
	ctx := context.Background()
	alice, bob, anon := multiClient(t, ts.URL, "sk-alice"), multiClient(t, ts.URL, "sk-bob"), multiClient(t, ts.URL, "")

	run, err := alice.RunTask(ctx, &client.TaskRunRequest{Prompt: "alice's task"})
	require.NoError(t, err)
	got, err := alice.GetRun(ctx, run.RunID)
	require.NoError(t, err)
	assert.Equal(t, "alice's task", got.RunRequest.Prompt)

	for name, c := range map[string]*client.Client{"bob": bob, "no key": anon} {
		_, err = c.GetRun(ctx, run.RunID)
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.Equal(t, http.StatusNotFound, apiErr.StatusCode, name)
	}

	cred, err := bob.CreateCredential(ctx, &client.CreateCredentialRequest{Name: "bob's", CredentialType: "password",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "bob", Password: "hunter2-long"}}})
	require.NoError(t, err)
	list, err := alice.GetCredentials(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, list, "alice sees none of bob's credentials")
	list, err = bob.GetCredentials(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, cred.CredentialID, list[0].CredentialID)

	// A request without a key has a sandbox of its own.
	anonRun, err := anon.RunTask(ctx, &client.TaskRunRequest{Prompt: "anonymous"})
	require.NoError(t, err)
	_, err = anon.GetRun(ctx, anonRun.RunID)
	require.NoError(t, err)
	_, err = alice.GetRun(ctx, anonRun.RunID)
	require.Error(t, err)
	assert.Equal(t, 2, m.Keys(), "two keyed sandboxes; the default one is not counted")
}

func TestMultiKeylessLinksReachTheOwner(t *testing.T) {
	m := sandbox.NewMulti(sandbox.Options{RunDuration: -1}, 0)
	ts := httptest.NewServer(m)
	defer ts.Close()
	ctx := context.Background()
	alice := multiClient(t, ts.URL, "sk-alice")
	_, err := multiClient(t, ts.URL, "sk-bob").GetWorkflows(ctx, nil) // bob's sandbox exists too
	require.NoError(t, err)

	run, err := alice.RunTask(ctx, &client.TaskRunRequest{Prompt: "with links"})
	require.NoError(t, err)
	arts, err := alice.GetRunArtifacts(ctx, run.RunID)
	require.NoError(t, err)
	require.NotEmpty(t, arts)

	get := func(url string) (int, string) {
		resp, err := http.Get(url) //nolint:noctx // test
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get(run.AppURL)
	assert.Equal(t, http.StatusOK, code, "app_url works without a key")
	assert.Contains(t, body, run.RunID)
	require.NotEmpty(t, arts[0].SignedURL)
	code, _ = get(arts[0].SignedURL)
	assert.Equal(t, http.StatusOK, code, "signed_url works without a key")
	code, _ = get(ts.URL + "/app/runs/tsk_100000000000000001")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = get(ts.URL + "/v1/artifacts/" + arts[0].ArtifactID + "/content")
	assert.Equal(t, http.StatusNotFound, code, "without a key or a token, the default sandbox answers")
}

func TestMultiForgetsTheLeastRecentlyUsedKey(t *testing.T) {
	m := sandbox.NewMulti(sandbox.Options{RunDuration: -1}, 2)
	ts := httptest.NewServer(m)
	defer ts.Close()
	ctx := context.Background()
	a, b, c := multiClient(t, ts.URL, "sk-a"), multiClient(t, ts.URL, "sk-b"), multiClient(t, ts.URL, "sk-c")
	runA, err := a.RunTask(ctx, &client.TaskRunRequest{Prompt: "a"})
	require.NoError(t, err)
	runB, err := b.RunTask(ctx, &client.TaskRunRequest{Prompt: "b"})
	require.NoError(t, err)
	_, err = a.GetRun(ctx, runA.RunID) // a is now more recent than b
	require.NoError(t, err)
	_, err = c.GetWorkflows(ctx, nil) // a third key evicts b
	require.NoError(t, err)
	assert.Equal(t, 2, m.Keys())
	_, err = a.GetRun(ctx, runA.RunID)
	require.NoError(t, err, "a was used recently and is kept")
	_, err = b.GetRun(ctx, runB.RunID)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode, "b's sandbox was forgotten")
	assert.Same(t, m.Partition("sk-a"), m.Partition("sk-a"))
	assert.Same(t, m.Partition(""), m.Partition(""))
}

func TestMultiConcurrentKeys(t *testing.T) {
	m := sandbox.NewMulti(sandbox.Options{RunDuration: -1}, 8)
	ts := httptest.NewServer(m)
	defer ts.Close()
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := multiClient(t, ts.URL, "sk-"+string(rune('a'+i%16)))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			run, err := c.RunTask(ctx, &client.TaskRunRequest{Prompt: "x"})
			if assert.NoError(t, err) {
				_, _ = c.GetRun(ctx, run.RunID) // may be evicted meanwhile: no panic, no race
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, m.Keys(), 8)
}

func TestMultiListen(t *testing.T) {
	m := sandbox.NewMulti(sandbox.Options{RunDuration: -1}, 0)
	url, shutdown, err := m.Listen("127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = shutdown(context.Background()) }()
	v, err := multiClient(t, url, "sk-x").GetWorkflows(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, v)
}
