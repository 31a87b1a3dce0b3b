package sandbox

import (
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// The HTML pages the sandbox serves where Skyvern serves its web app: a
// run's page (app_url), a browser session's page and an index.

func writeHTML(w http.ResponseWriter, status int, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:50rem}code{background:#eee;padding:0 .2rem}</style>
</head><body>%s
<p><small>Skyvern API sandbox: a simulator, no browser runs here.</small></p></body></html>
`, html.EscapeString(title), body)
}

func (s *Server) appRunPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("run_id")
	s.mu.Lock()
	run, ok := s.runs[id]
	var view client.Run
	if ok {
		view = s.runView(run, run.at(s.now()), s.baseURL(r))
	}
	s.mu.Unlock()
	if !ok {
		writeHTML(w, http.StatusNotFound, "Run not found", "<h1>Run not found</h1>")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<h1>Run <code>%s</code></h1>\n<p>Type: %s</p>\n<p>Status: <strong>%s</strong></p>\n",
		html.EscapeString(view.RunID), html.EscapeString(string(view.RunType)), html.EscapeString(string(view.Status)))
	if view.StepCount != nil {
		fmt.Fprintf(&b, "<p>Steps: %d</p>\n", *view.StepCount)
	}
	if goal := view.RunRequest.Prompt; goal != "" {
		fmt.Fprintf(&b, "<p>Prompt: %s</p>\n", html.EscapeString(goal))
	}
	if view.FailureReason != "" {
		fmt.Fprintf(&b, "<p>Failure: %s</p>\n", html.EscapeString(view.FailureReason))
	}
	for _, u := range view.ScreenshotURLs {
		fmt.Fprintf(&b, "<p><img src=\"%s\" alt=\"screenshot\" width=\"480\"></p>\n", html.EscapeString(u))
	}
	if !view.Output.IsNull() {
		fmt.Fprintf(&b, "<h2>Output</h2><pre>%s</pre>\n", html.EscapeString(string(view.Output)))
	}
	writeHTML(w, http.StatusOK, "Skyvern sandbox run "+view.RunID, b.String())
}

func (s *Server) appSessionPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("browser_session_id")
	s.mu.Lock()
	b, ok := s.sessions[id]
	var view client.BrowserSession
	if ok {
		view = s.sessionView(b, s.now(), s.baseURL(r))
	}
	s.mu.Unlock()
	if !ok {
		writeHTML(w, http.StatusNotFound, "Browser session not found", "<h1>Browser session not found</h1>")
		return
	}
	writeHTML(w, http.StatusOK, "Skyvern sandbox browser session "+id, fmt.Sprintf(
		"<h1>Browser session <code>%s</code></h1>\n<p>Status: <strong>%s</strong></p>\n",
		html.EscapeString(id), html.EscapeString(view.Status)))
}

func (s *Server) indexPage(w http.ResponseWriter, r *http.Request) {
	writeHTML(w, http.StatusOK, "Skyvern API sandbox",
		"<h1>Skyvern API sandbox</h1>\n<p>The Skyvern REST API is simulated under <code>/v1/</code>.</p>\n")
}
