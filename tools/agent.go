package tools

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// MaxUploadBytes is the largest file upload_file sends: 50 MiB.
const MaxUploadBytes = 50 << 20

// LoginInput is login's input.
type LoginInput struct {
	client.LoginRequest
	UserAgent string `json:"user_agent,omitempty" jsonschema_description:"User-Agent the browser should use (sent as the x-user-agent header)."`
	WaitArgs
}

// DownloadFilesInput is download_files' input.
type DownloadFilesInput struct {
	client.DownloadFilesRequest
	UserAgent string `json:"user_agent,omitempty" jsonschema_description:"User-Agent the browser should use (sent as the x-user-agent header)."`
	WaitArgs
}

// UploadFileInput is upload_file's input: content with filename, or a path.
type UploadFileInput struct {
	Content     string `json:"content,omitempty" jsonschema:"contentEncoding=base64" jsonschema_description:"The file's bytes, base64-encoded. Give filename too. Maximum 50 MiB."`
	Filename    string `json:"filename,omitempty" jsonschema_description:"File name to upload content as, e.g. invoice.pdf. With path, defaults to the file's own name."`
	Path        string `json:"path,omitempty" jsonschema_description:"Path of a file inside the directory the server operator allowed with --upload-dir (relative to it, or absolute). Refused when --upload-dir is not set."`
	ContentType string `json:"content_type,omitempty" jsonschema_description:"Media type of the file, e.g. application/pdf. Guessed from the file name when omitted."`
}

// UploadFileResult is upload_file's output.
type UploadFileResult struct {
	client.UploadFileResponse
	Filename  string `json:"filename"`
	SizeBytes int    `json:"size_bytes"`
}

func agentTools() []Tool {
	return []Tool{
		define(spec{name: "login", title: "Log in to a website", toolset: ToolsetAgent,
			hints: hints{openWorld: true},
			description: "Log in to a website with a stored credential (Skyvern vault credential_id, Bitwarden, 1Password or Azure Key Vault), as a billed browser run. " +
				"Use it with browser_session_id to leave that session logged in for later runs. Returns at once with run_id unless wait_for_completion is true. Store credentials first with create_credential."},
			true, func(ctx context.Context, c *call, in *LoginInput) (*RunResult, error) {
				req := in.LoginRequest
				req.UserAgent = in.UserAgent
				return startRun(ctx, c, in.WaitArgs, func(ctx context.Context) (*client.Run, error) { return c.client.Login(ctx, &req) })
			}),
		define(spec{name: "download_files", title: "Download files from a website", toolset: ToolsetAgent,
			hints: hints{openWorld: true},
			description: "Navigate a website and download files (invoices, reports, statements) as a billed browser run; the files appear in the run's downloaded_files. " +
				"Returns at once with run_id unless wait_for_completion is true. download_timeout is in SECONDS."},
			true, func(ctx context.Context, c *call, in *DownloadFilesInput) (*RunResult, error) {
				req := in.DownloadFilesRequest
				req.UserAgent = in.UserAgent
				return startRun(ctx, c, in.WaitArgs, func(ctx context.Context) (*client.Run, error) { return c.client.DownloadFiles(ctx, &req) })
			}),
		define(spec{name: "upload_file", title: "Upload a file", toolset: ToolsetAgent, maxArgBytes: MaxUploadArgumentBytes,
			hints: hints{},
			description: "Upload a file to Skyvern for runs and workflows to use (e.g. a file to attach in a form); returns its s3_uri and presigned_url. " +
				"Give content (base64) with filename, or a path inside the server's --upload-dir."},
			true, uploadFile),
	}
}

func uploadFile(ctx context.Context, c *call, in *UploadFileInput) (*UploadFileResult, error) {
	var data []byte
	name := in.Filename
	switch {
	case in.Content != "" && in.Path != "":
		return nil, errors.New("give content or path, not both")
	case in.Content != "":
		if name == "" {
			return nil, errors.New("filename is required with content")
		}
		if base64.StdEncoding.DecodedLen(len(in.Content)) > MaxUploadBytes+3 {
			return nil, fmt.Errorf("content is larger than the %d MiB limit", MaxUploadBytes>>20)
		}
		var err error
		data, err = base64.StdEncoding.DecodeString(strings.TrimSpace(in.Content))
		if err != nil {
			return nil, fmt.Errorf("content: expected base64-encoded bytes: %v", err)
		}
	case in.Path != "":
		full, err := resolveUploadPath(c.deps.UploadDir, in.Path)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(full)
		if err != nil {
			return nil, fmt.Errorf("path: cannot open %q: %v", in.Path, errors.Unwrap(err))
		}
		defer f.Close()
		data, err = io.ReadAll(io.LimitReader(f, MaxUploadBytes+1))
		if err != nil {
			return nil, fmt.Errorf("path: reading %q: %v", in.Path, err)
		}
		if len(data) > MaxUploadBytes {
			return nil, fmt.Errorf("path: %q is larger than the %d MiB limit", in.Path, MaxUploadBytes>>20)
		}
		if name == "" {
			name = filepath.Base(full)
		}
	default:
		return nil, errors.New("give content (base64) with filename, or path")
	}
	ct := in.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(filepath.Ext(name))
	}
	res, err := c.client.UploadFile(ctx, name, ct, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return &UploadFileResult{UploadFileResponse: *res, Filename: name, SizeBytes: len(data)}, nil
}

// resolveUploadPath returns p as an absolute path if it lies inside dir
// after resolving symbolic links, or an error that says why not.
func resolveUploadPath(dir, p string) (string, error) {
	if dir == "" {
		return "", errors.New("path: reading local files is disabled; the server operator can allow one directory with --upload-dir (or SKYVERN_UPLOAD_DIR); otherwise send the file as base64 content with filename")
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("path: the upload directory is not usable: %v", err)
	}
	root, _ = filepath.Abs(root)
	full := p
	if !filepath.IsAbs(full) {
		full = filepath.Join(root, full)
	}
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", fmt.Errorf("path: %q does not exist inside the upload directory", p)
	}
	rel, err := filepath.Rel(root, resolved)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("path: %q is outside the upload directory; only files inside --upload-dir can be uploaded", p)
	}
	st, err := os.Stat(resolved)
	if err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("path: %q is not a regular file", p)
	}
	return resolved, nil
}
