package resources

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/internal/splice"
)

// ArtifactItem is one entry of skyvern://runs/{run_id}/artifacts.
type ArtifactItem struct {
	URI          string `json:"uri"`
	ArtifactID   string `json:"artifact_id"`
	ArtifactType string `json:"artifact_type"`
	MIMEType     string `json:"mime_type"`
	// SizeBytes is the file size, when Skyvern reports it.
	SizeBytes *int64 `json:"size_bytes,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
	// SignedURL is Skyvern's time-limited download URL, for content too
	// large to read as a resource.
	SignedURL string `json:"signed_url,omitempty"`
}

// ArtifactList is the content of skyvern://runs/{run_id}/artifacts.
type ArtifactList struct {
	RunID     string         `json:"run_id"`
	Count     int            `json:"count"`
	Artifacts []ArtifactItem `json:"artifacts"`
}

func artifactItem(a *client.Artifact) ArtifactItem {
	return ArtifactItem{URI: artifactURI(a.ArtifactID), ArtifactID: a.ArtifactID, ArtifactType: string(a.ArtifactType),
		MIMEType: a.MIMEType(), SizeBytes: a.FileSize, CreatedAt: a.CreatedAt, SignedURL: a.SignedURL}
}

// isTextual reports whether a media type is sent as text.
func isTextual(mediaType string) bool { return client.IsTextualMIME(mediaType) }

// tooLargeError refuses content above the cap and says where to get it.
type tooLargeError struct {
	what      string
	size      int64 // -1 unknown
	limit     int64
	signedURL string
	appURL    string
	hint      string
}

func (e *tooLargeError) Error() string {
	size := "more than the limit"
	if e.size >= 0 {
		size = fmt.Sprintf("%d bytes", e.size)
	}
	msg := fmt.Sprintf("%s is too large to send as an MCP resource (%s; the limit is %d bytes of content; "+
		"set it with --max-resource-bytes or SKYVERN_MAX_RESOURCE_BYTES).", e.what, size, e.limit)
	switch {
	case e.signedURL != "":
		msg += " Download it from its signed URL instead: " + e.signedURL
		if e.appURL != "" {
			msg += " , or watch the run at " + e.appURL
		}
	case e.appURL != "":
		msg += " Watch the run at " + e.appURL + " instead."
	default:
		msg += " " + e.hint
	}
	return msg
}

// readArtifact reads GET /v1/artifacts/{artifact_id}/content into one
// resource, typed from its bytes (client.DetectMIME): text types that are
// valid UTF-8 as text, everything else as a base64 blob. Content over
// MaxResourceBytes is refused (before its body is read when Skyvern declares
// its length). The body is read once into a buffer of its declared length;
// over stdio (a splice.Writer in ctx) those bytes are all that is held: they
// are encoded straight into the response line as it is written.
func (r *Registry) readArtifact(ctx context.Context, c *client.Client, uri, artifactID string, hint artifactHint) ([]mcp.ResourceContents, error) {
	limit := r.o.MaxResourceBytes
	tooLarge := func(mediaType string, size int64) error {
		return &tooLargeError{what: fmt.Sprintf("Artifact %s (%s)", artifactID, mediaType), size: size, limit: limit,
			signedURL: hint.signedURL, appURL: hint.appURL,
			hint: "Read skyvern://runs/{run_id}/artifacts (or call get_run_artifacts) for its signed_url, or open the run's app_url."}
	}
	content, err := c.GetArtifact(ctx, artifactID, nil)
	if err != nil {
		return nil, describe(err, "artifact", artifactID)
	}
	defer content.Body.Close()
	// The bytes decide the type (Skyvern labels PDFs, archives and some
	// screenshots application/json, webm recordings video/mp4).
	mediaType := content.MediaType(hint.artifactType)
	if content.ContentLength > limit {
		return nil, tooLarge(mediaType, content.ContentLength)
	}
	data, err := readBody(content.Body, content.ContentLength, limit)
	if errors.Is(err, errOverLimit) {
		return nil, tooLarge(mediaType, -1)
	}
	if err != nil {
		return nil, fmt.Errorf("reading artifact %s: %w", artifactID, err)
	}
	sp := splice.FromContext(ctx)
	if sp != nil {
		// Spliced bytes bypass the redacting resource middleware (it sees
		// only a placeholder): redact them here.
		data = r.redactor(ctx).Raw(data, isTextual(mediaType) && utf8.Valid(data))
	}
	if isTextual(mediaType) && utf8.Valid(data) {
		t := mcp.TextResourceContents{URI: uri, MIMEType: mediaType}
		if sp != nil {
			t.Text = sp.Text(data)
		} else {
			t.Text = string(data)
		}
		return []mcp.ResourceContents{t}, nil
	}
	b := mcp.BlobResourceContents{URI: uri, MIMEType: mediaType}
	if sp != nil {
		b.Blob = sp.Blob(data)
	} else {
		b.Blob = base64.StdEncoding.EncodeToString(data)
	}
	return []mcp.ResourceContents{b}, nil
}

// errOverLimit is a body longer than the limit.
var errOverLimit = errors.New("content over the limit")

// readBody reads a body of declared length n (-1: unknown) into one buffer
// of that size, or, length unknown, up to limit bytes; a longer body is
// errOverLimit.
func readBody(body io.Reader, n, limit int64) ([]byte, error) {
	if n < 0 {
		data, err := io.ReadAll(io.LimitReader(body, limit+1))
		if err == nil && int64(len(data)) > limit {
			return nil, errOverLimit
		}
		return data, err
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(body, data); err != nil {
		return nil, err
	}
	return data, nil
}

// readRunRecording finds the run's recording artifact through the API and
// reads it through the artifact content endpoint. recording_url is never
// fetched: it is a URL from an answer, and it may point anywhere.
func (r *Registry) readRunRecording(ctx context.Context, c *client.Client, uri, runID string) ([]mcp.ResourceContents, error) {
	run, err := c.GetRun(ctx, runID)
	if err != nil {
		return nil, describe(err, "run", runID)
	}
	r.SeeRun(run)
	arts, err := c.GetRunArtifacts(ctx, runID, client.ArtifactRecording)
	if err != nil {
		return nil, describe(err, "run", runID)
	}
	if len(arts) == 0 {
		if run.Status.IsFinal() {
			return nil, notFound(fmt.Errorf("run %s (%s) has no recording artifact", runID, run.Status))
		}
		return nil, notFound(fmt.Errorf("run %s is %s and has no recording yet: recordings appear when the run ends; subscribe to %s or read it again later", runID, run.Status, runURI(runID)))
	}
	a := arts[len(arts)-1]
	r.recent.seeArtifact(a.ArtifactID, a.SignedURL, runID, a.ArtifactType)
	res, err := r.readArtifact(ctx, c, uri, a.ArtifactID, artifactHint{signedURL: a.SignedURL, runID: runID, appURL: run.AppURL, artifactType: a.ArtifactType})
	return res, err
}

// readSessionRecording reads recording number index of a browser session
// through the artifact content endpoint.
func (r *Registry) readSessionRecording(ctx context.Context, c *client.Client, uri, sessionID string, index int) ([]mcp.ResourceContents, error) {
	bs, err := c.GetBrowserSession(ctx, sessionID)
	if err != nil {
		return nil, describe(err, "browser session", sessionID)
	}
	if index >= len(bs.Recordings) {
		if len(bs.Recordings) == 0 {
			return nil, notFound(fmt.Errorf("browser session %s (%s) has no recordings yet: a session's recording appears once it is closed (close_browser_session)", sessionID, bs.Status))
		}
		return nil, notFound(fmt.Errorf("browser session %s has %d recording(s): use an index from 0 to %d", sessionID, len(bs.Recordings), len(bs.Recordings)-1))
	}
	rec := bs.Recordings[index]
	if rec.ArtifactID == "" || !artifactIDRe.MatchString(rec.ArtifactID) {
		return nil, errors.New(noArtifactMessage(sessionID, index, rec.URL, bs.AppURL))
	}
	return r.readArtifact(ctx, c, uri, rec.ArtifactID, artifactHint{signedURL: rec.URL, appURL: bs.AppURL, artifactType: client.ArtifactRecording})
}

func noArtifactMessage(sessionID string, index int, url, appURL string) string {
	msg := fmt.Sprintf("recording %d of browser session %s has no artifact ID, so it cannot be read through Skyvern's API (the server does not fetch URLs from answers).", index, sessionID)
	if url != "" {
		msg += " Download it from " + url
	} else if appURL != "" {
		msg += " Open the session at " + appURL
	}
	return msg
}
