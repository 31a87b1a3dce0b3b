package tools

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skyvern-mcp/skyvern-mcp/internal/redact"
)

// staticSet is Deps.Secrets as a redact.Set, built on first use.
func (d *Deps) staticSet() *redact.Set {
	d.secretsOnce.Do(func() { d.secretSet = redact.NewSet(0, d.Secrets...) })
	return d.secretSet
}

// RedactString removes the server's own secrets (Deps.Secrets: the API key,
// the bearer token) from s, in every form package redact knows.
func (d *Deps) RedactString(s string) string { return redact.Join(d.staticSet()).String(s) }

func (d *Deps) redact(s string) string { return d.RedactString(s) }

// Redactor returns what removes every secret a call may meet: the server's
// own (Deps.Secrets) and those of the call's Skyvern client (its API key,
// which over HTTP may be the caller's own, and the credential secrets it
// sent).
func (d *Deps) Redactor(ctx context.Context) redact.Redactor {
	r := redact.Join(d.staticSet())
	if d.Client != nil {
		if c, err := d.Client(ctx); err == nil && c != nil {
			r = append(r, c.Redactor()...)
		}
	}
	return r
}

// RedactOptions are the server options that redact every way out once:
// tool results (text, structured content, images, embedded resources, and
// errors), resource contents and errors, and prompts. Pass them to
// server.NewMCPServer with the other options.
func (d *Deps) RedactOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithToolHandlerMiddleware(d.redactTool),
		server.WithResourceHandlerMiddleware(d.redactResource),
		server.WithPromptHandlerMiddleware(d.redactPrompt),
	}
}

func (d *Deps) redactTool(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := next(ctx, req)
		r := d.Redactor(ctx)
		return RedactResult(r, res), redactError(r, err)
	}
}

func (d *Deps) redactResource(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		contents, err := next(ctx, req)
		r := d.Redactor(ctx)
		for i, c := range contents {
			contents[i] = redactResourceContents(r, c)
		}
		return contents, redactError(r, err)
	}
}

func (d *Deps) redactPrompt(next server.PromptHandlerFunc) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		res, err := next(ctx, req)
		r := d.Redactor(ctx)
		if res != nil {
			res.Description = r.String(res.Description)
			for i := range res.Messages {
				res.Messages[i].Content = redactContent(r, res.Messages[i].Content)
			}
		}
		return res, redactError(r, err)
	}
}

// redactError keeps context.Canceled and friends matchable.
func redactError(r redact.Redactor, err error) error {
	if err == nil || errors.Is(err, context.Canceled) && err.Error() == context.Canceled.Error() {
		return err
	}
	return r.Error(err)
}

// RedactResult removes r's secrets from every part of a tool result; the
// structured content stays valid JSON.
func RedactResult(r redact.Redactor, res *mcp.CallToolResult) *mcp.CallToolResult {
	if res == nil || len(r) == 0 {
		return res
	}
	for i, c := range res.Content {
		res.Content[i] = redactContent(r, c)
	}
	if res.StructuredContent != nil {
		res.StructuredContent = r.Value(res.StructuredContent)
	}
	return res
}

// redactText redacts a text that may be JSON (a tool's JSON copy, a JSON
// resource) as JSON, so that it stays valid.
func redactText(r redact.Redactor, s string) string {
	t := strings.TrimSpace(s)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		return string(r.JSON([]byte(s)))
	}
	return r.String(s)
}

func redactContent(r redact.Redactor, c mcp.Content) mcp.Content {
	switch x := c.(type) {
	case mcp.TextContent:
		x.Text = redactText(r, x.Text)
		return x
	case *mcp.TextContent:
		x.Text = redactText(r, x.Text)
		return x
	case mcp.ImageContent:
		x.Data = r.Blob(x.Data, false)
		return x
	case *mcp.ImageContent:
		x.Data = r.Blob(x.Data, false)
		return x
	case mcp.AudioContent:
		x.Data = r.Blob(x.Data, false)
		return x
	case *mcp.AudioContent:
		x.Data = r.Blob(x.Data, false)
		return x
	case mcp.EmbeddedResource:
		x.Resource = redactResourceContents(r, x.Resource)
		return x
	case *mcp.EmbeddedResource:
		x.Resource = redactResourceContents(r, x.Resource)
		return x
	case mcp.ResourceLink:
		x.URI, x.Name, x.Description = r.String(x.URI), r.String(x.Name), r.String(x.Description)
		return x
	case *mcp.ResourceLink:
		x.URI, x.Name, x.Description = r.String(x.URI), r.String(x.Name), r.String(x.Description)
		return x
	}
	return c
}

func redactResourceContents(r redact.Redactor, c mcp.ResourceContents) mcp.ResourceContents {
	switch x := c.(type) {
	case mcp.TextResourceContents:
		x.Text = redactText(r, x.Text)
		return x
	case *mcp.TextResourceContents:
		x.Text = redactText(r, x.Text)
		return x
	case mcp.BlobResourceContents:
		x.Blob = r.Blob(x.Blob, textualMIME(x.MIMEType))
		return x
	case *mcp.BlobResourceContents:
		x.Blob = r.Blob(x.Blob, textualMIME(x.MIMEType))
		return x
	}
	return c
}

// textualMIME reports whether a blob's media type is text (an artifact
// that was not valid UTF-8 is still sent as a blob).
func textualMIME(m string) bool {
	mt, _, _ := mime.ParseMediaType(m)
	if mt == "" {
		mt = m
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || strings.HasSuffix(mt, "+json") ||
		mt == "application/xml" || strings.HasSuffix(mt, "+xml") || mt == "application/javascript" ||
		mt == "application/x-ndjson" || mt == "application/yaml"
}
