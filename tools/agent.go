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
	UserAgent string `json:"user_agent,omitempty"`
	WaitArgs
}

// DownloadFilesInput is download_files' input.
type DownloadFilesInput struct {
	client.DownloadFilesRequest
	UserAgent string `json:"user_agent,omitempty"`
	WaitArgs
}

// UploadFileInput is upload_file's input: content with filename, or a path.
type UploadFileInput struct {
	Content       string `json:"content,omitempty" jsonschema:"contentEncoding=base64" jsonschema_description:"Base64 file bytes (max 50 MiB); give filename."`
	Filename      string `json:"filename,omitempty"`
	Path          string `json:"path,omitempty" jsonschema_description:"File path under the server's --upload-dir."`
	ContentType   string `json:"content_type,omitempty" jsonschema_description:"Media type; guessed from the name if omitted."`
	RetentionDays *int   `json:"retention_days,omitempty" jsonschema:"minimum=1" jsonschema_description:"Days to keep it (1-365); default: the organization's policy."`
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
			hints:       hints{openWorld: true},
			description: "Log in to a website with a stored credential (Skyvern, Bitwarden, 1Password, Azure) as a billed run; with browser_session_id the session stays logged in."},
			func(ctx context.Context, c *call, in *LoginInput) (*RunResult, error) {
				req := in.LoginRequest
				req.UserAgent = in.UserAgent
				return startRun(ctx, c, in.WaitArgs, func(ctx context.Context) (*client.Run, error) { return c.client.Login(ctx, &req) })
			}),
		define(spec{name: "download_files", title: "Download files from a website", toolset: ToolsetAgent,
			hints:       hints{openWorld: true},
			description: "Download files (invoices, reports) from a website as a billed run; they appear in the run's downloaded_files."},
			func(ctx context.Context, c *call, in *DownloadFilesInput) (*RunResult, error) {
				req := in.DownloadFilesRequest
				req.UserAgent = in.UserAgent
				return startRun(ctx, c, in.WaitArgs, func(ctx context.Context) (*client.Run, error) { return c.client.DownloadFiles(ctx, &req) })
			}),
		define(spec{name: "upload_file", title: "Upload a file", toolset: ToolsetAgent, maxArgBytes: MaxUploadArgumentBytes,
			hints:       hints{},
			description: "Upload a file for runs to use (e.g. to attach in a form), from base64 content or a path under --upload-dir."},
			uploadFile),
		define(spec{name: "delete_file", title: "Delete an uploaded file", toolset: ToolsetCleanup,
			hints:       hints{destructive: true, idempotent: true},
			description: "Delete a file uploaded with upload_file, by the file_id it returned; runs can no longer use its s3_uri or presigned_url. An unknown or already deleted file_id is a 404."},
			func(ctx context.Context, c *call, in *DeleteFileInput) (*OKResult, error) {
				if err := c.client.DeleteFile(ctx, in.FileID); err != nil {
					return nil, err
				}
				return &OKResult{OK: true, Message: fmt.Sprintf("File %s deleted.", in.FileID)}, nil
			}),
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
	res, err := c.client.UploadFileWith(ctx, name, ct, bytes.NewReader(data), client.UploadOptions{RetentionDays: in.RetentionDays})
	if err != nil {
		return nil, err
	}
	return &UploadFileResult{UploadFileResponse: *res, Filename: name, SizeBytes: len(data)}, nil
}

// resolveUploadPath returns p as an absolute path if it names a regular
// file inside dir after resolving symbolic links. Every path that is
// outside dir, or does not exist, or leads outside through a link, gets the
// same error (notInUploadDir): the answer must not tell whether a file
// exists elsewhere on the host. A path that leaves dir lexically (absolute
// elsewhere, or with "..") is refused before the file system is asked.
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
	// An absolute p may name dir as given, through a link to it.
	given, _ := filepath.Abs(dir)
	if clean := filepath.Clean(full); !within(root, clean) && !within(given, clean) {
		return "", notInUploadDir(p)
	}
	resolved, err := filepath.EvalSymlinks(full)
	if err != nil || !within(root, resolved) {
		return "", notInUploadDir(p)
	}
	st, err := os.Stat(resolved)
	if err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("path: %q is not a regular file", p)
	}
	return resolved, nil
}

// within reports whether path (absolute, clean) is root or below it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// notInUploadDir is the one answer for a path outside the upload directory
// or that does not exist.
func notInUploadDir(p string) error {
	return fmt.Errorf("path: %q is not an existing file inside the upload directory; only files inside --upload-dir can be uploaded", p)
}

// DeleteFileInput is delete_file's input.
type DeleteFileInput struct {
	FileID string `json:"file_id" jsonschema:"required" jsonschema_description:"The file_id upload_file returned (file_...)."`
}
