package sandbox_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func readArtifact(t *testing.T, e *env, id string, rng *client.ByteRange) (*client.ArtifactContent, []byte) {
	t.Helper()
	ac, err := e.c.GetArtifact(e.ctx, id, rng)
	require.NoError(t, err)
	defer ac.Body.Close()
	b, err := io.ReadAll(ac.Body)
	require.NoError(t, err)
	return ac, b
}

func TestArtifacts(t *testing.T) {
	const recSize = 20000
	e := newEnv(t, sandbox.Options{RunDuration: time.Second, RecordingSize: recSize}, true)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "Show me <b>everything</b>"})
	require.NoError(t, err)

	arts, err := e.c.GetRunArtifacts(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Empty(t, arts, "no artifacts before the run is running")

	e.clock.Advance(500 * time.Millisecond)
	arts, err = e.c.GetRunArtifacts(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Len(t, arts, 2, "screenshot and HTML while running")

	e.clock.Advance(time.Second)
	arts, err = e.c.GetRunArtifacts(e.ctx, run.RunID)
	require.NoError(t, err)
	require.Len(t, arts, 4)
	byType := map[client.ArtifactType]client.Artifact{}
	for _, a := range arts {
		byType[a.ArtifactType] = a
		assert.Regexp(t, `^a_\d{18}$`, a.ArtifactID)
		assert.Equal(t, sandbox.OrganizationID, a.OrganizationID)
		assert.Equal(t, run.RunID, a.RunID)
		assert.Equal(t, run.RunID, a.TaskID)
		assert.True(t, strings.HasPrefix(a.SignedURL, e.srv.URL+"/v1/artifacts/"+a.ArtifactID+"/content?token="), a.SignedURL)
		require.NotNil(t, a.FileSize)
		assert.Len(t, a.Checksum, 64)
		requireDateTime(t, a.CreatedAt, false)
	}
	require.Contains(t, byType, client.ArtifactScreenshotFinal)
	require.Contains(t, byType, client.ArtifactHTMLScrape)
	require.Contains(t, byType, client.ArtifactLLMResponse)
	require.Contains(t, byType, client.ArtifactRecording)

	shot := byType[client.ArtifactScreenshotFinal]
	ac, b := readArtifact(t, e, shot.ArtifactID, nil)
	assert.Equal(t, "image/png", ac.ContentType)
	assert.Equal(t, 200, ac.StatusCode)
	assert.Equal(t, *shot.FileSize, int64(len(b)))
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 480, img.Bounds().Dx())
	assert.Greater(t, len(b), 2000, "a few KB")

	ac, b = readArtifact(t, e, byType[client.ArtifactHTMLScrape].ArtifactID, nil)
	assert.Equal(t, "text/html; charset=utf-8", ac.ContentType)
	assert.Contains(t, string(b), run.RunID)
	assert.Contains(t, string(b), "&lt;b&gt;everything", "the prompt is escaped")

	ac, b = readArtifact(t, e, byType[client.ArtifactLLMResponse].ArtifactID, nil)
	assert.Equal(t, "application/json", ac.ContentType)
	assert.True(t, json.Valid(b))

	rec := byType[client.ArtifactRecording]
	ac, full := readArtifact(t, e, rec.ArtifactID, nil)
	assert.Equal(t, "video/webm", ac.ContentType)
	assert.Len(t, full, recSize)
	assert.Equal(t, []byte{0x1A, 0x45, 0xDF, 0xA3}, full[:4], "EBML magic")
	got, err := e.c.GetRun(e.ctx, run.RunID)
	require.NoError(t, err)
	assert.Equal(t, rec.SignedURL, got.RecordingURL)
	assert.Equal(t, []string{shot.SignedURL}, got.ScreenshotURLs)

	// Range requests.
	ac, part := readArtifact(t, e, rec.ArtifactID, &client.ByteRange{Start: 100, End: 199})
	assert.Equal(t, 206, ac.StatusCode)
	assert.Equal(t, "bytes 100-199/20000", ac.ContentRange)
	assert.Equal(t, full[100:200], part)
	ac, part = readArtifact(t, e, rec.ArtifactID, &client.ByteRange{Start: recSize - 10, End: -1})
	assert.Equal(t, 206, ac.StatusCode)
	assert.Equal(t, full[recSize-10:], part)
	_, err = e.c.GetArtifact(e.ctx, rec.ArtifactID, &client.ByteRange{Start: recSize + 5, End: -1})
	assert.ErrorIs(t, err, client.ErrRangeNotSatisfiable)

	// Filters.
	only, err := e.c.GetRunArtifacts(e.ctx, run.RunID, client.ArtifactRecording, client.ArtifactLLMResponse)
	require.NoError(t, err)
	assert.Len(t, only, 2)

	// The signed URL works without a key; a forged token or no key does not.
	resp, err := http.Get(shot.SignedURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	resp, err = http.Get(strings.Split(shot.SignedURL, "?")[0] + "?token=forged")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)
	resp, err = http.Get(strings.Split(shot.SignedURL, "?")[0])
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)

	_, err = e.c.GetArtifact(e.ctx, "a_000000000000000001", nil)
	assert.True(t, client.IsNotFound(err))
}

func TestLargeRecording(t *testing.T) {
	const size = 20 << 20
	e := newEnv(t, sandbox.Options{RunDuration: -1, RecordingSize: size}, false)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "record"})
	require.NoError(t, err)
	arts, err := e.c.GetRunArtifacts(e.ctx, run.RunID, client.ArtifactRecording)
	require.NoError(t, err)
	require.Len(t, arts, 1)
	assert.Equal(t, int64(size), *arts[0].FileSize)
	ac, err := e.c.GetArtifact(e.ctx, arts[0].ArtifactID, nil)
	require.NoError(t, err)
	defer ac.Body.Close()
	n, err := io.Copy(io.Discard, ac.Body)
	require.NoError(t, err)
	assert.Equal(t, int64(size), n)
	assert.Equal(t, int64(size), ac.ContentLength)
}

func TestAppPage(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "page"})
	require.NoError(t, err)
	resp, err := http.Get(run.AppURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(b), run.RunID)
	assert.Contains(t, string(b), "completed")
}

// agent_protocol.py get_artifact_content (_artifact_response_config,
// _artifact_content_response_headers): a download is application/octet-stream
// with Content-Disposition attachment; other artifacts inline, no file name;
// nosniff and a private Cache-Control on every answer.
func TestDownloadArtifactIsServedAsAttachment(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	get := func(url string, key bool) http.Header {
		t.Helper()
		req, err := http.NewRequest("GET", url, nil)
		require.NoError(t, err)
		if key {
			req.Header.Set("x-api-key", testKey)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		return resp.Header
	}
	dl, err := e.c.DownloadFiles(e.ctx, &client.DownloadFilesRequest{NavigationGoal: "Get it", DownloadSuffix: "Rechnung März.pdf"})
	require.NoError(t, err)
	require.Len(t, dl.DownloadedFiles, 1)
	f := dl.DownloadedFiles[0]
	h := get(f.URL, false)
	assert.Equal(t, "application/octet-stream", h.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="Rechnung Mrz.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf`, h.Get("Content-Disposition"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "private, max-age=43200", h.Get("Cache-Control"), "a signed URL's remaining lifetime")
	assert.Equal(t, "bytes", h.Get("Accept-Ranges"))

	up, err := e.c.UploadFile(e.ctx, "notes.txt", "text/plain", strings.NewReader("hello"))
	require.NoError(t, err)
	h = get(up.PresignedURL, false)
	assert.Equal(t, "application/octet-stream", h.Get("Content-Type"), "an upload is a download artifact")
	assert.Equal(t, `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`, h.Get("Content-Disposition"))

	run, err := e.c.RunTask(e.ctx, &client.TaskRunRequest{Prompt: "x"})
	require.NoError(t, err)
	shots, err := e.c.GetRunArtifacts(e.ctx, run.RunID, client.ArtifactScreenshotFinal)
	require.NoError(t, err)
	require.Len(t, shots, 1)
	h = get(e.srv.URL+"/v1/artifacts/"+shots[0].ArtifactID+"/content", true)
	assert.Equal(t, "image/png", h.Get("Content-Type"))
	assert.Equal(t, "inline", h.Get("Content-Disposition"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "private, no-cache", h.Get("Cache-Control"), "with the API key")
}
