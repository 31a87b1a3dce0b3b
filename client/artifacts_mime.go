package client

import (
	"mime"
	"path"
	"strings"
)

// MIMEType guesses the artifact's MIME type from the type, else from the
// extension of its storage URI. Reading the artifact gives the type
// Skyvern actually sends.
func (a *Artifact) MIMEType() string {
	t := string(a.ArtifactType)
	switch {
	case strings.HasPrefix(t, "screenshot"):
		return "image/png"
	case t == "recording" || t == "session_replay":
		return "video/webm"
	case strings.HasPrefix(t, "html"):
		return "text/html"
	case strings.HasPrefix(t, "llm_") || strings.HasPrefix(t, "visible_elements") || t == "hashed_href_map" || t == "har":
		return "application/json"
	case t == "skyvern_log" || t == "skyvern_log_raw" || t == "browser_console_log" || t == "script_file":
		return "text/plain"
	case t == "pdf":
		return "application/pdf"
	case t == "trace" || t == "step_archive" || t == "task_archive":
		return "application/zip"
	}
	if ext := path.Ext(strings.SplitN(a.URI, "?", 2)[0]); ext != "" && len(ext) <= 6 {
		if t := mime.TypeByExtension(ext); t != "" {
			if mt, _, err := mime.ParseMediaType(t); err == nil {
				return mt
			}
		}
	}
	return "application/octet-stream"
}
