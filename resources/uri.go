package resources

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// Scheme is the URI scheme of every resource this server serves.
const Scheme = "skyvern"

// kind is what a parsed URI names.
type kind int

const (
	kindRecentRuns       kind = iota + 1 // skyvern://runs
	kindRun                              // skyvern://runs/{run_id}
	kindTimeline                         // skyvern://runs/{run_id}/timeline
	kindOutput                           // skyvern://runs/{run_id}/output
	kindArtifacts                        // skyvern://runs/{run_id}/artifacts
	kindRecording                        // skyvern://runs/{run_id}/recording
	kindArtifact                         // skyvern://artifacts/{artifact_id}
	kindSession                          // skyvern://browser_sessions/{browser_session_id}
	kindSessionRecording                 // skyvern://browser_sessions/{browser_session_id}/recordings/{index}
	kindWorkflow                         // skyvern://workflows/{workflow_permanent_id}[?version=N]
)

// ref is a parsed resource URI.
type ref struct {
	kind    kind
	id      string // run, artifact, browser session or workflow ID
	index   int    // recording index
	version int    // workflow version, 0 = latest
}

// ID shapes, as Skyvern generates them: a prefix, then letters, digits, '_'
// or '-' (client.ValidID, the one check shared with the tools and the
// client's path builder). Anything else (dots, slashes, percent escapes,
// spaces) is refused before any request is made.
var (
	runIDRe      = idShape{"tsk_v2_", "tsk_", "wr_"}
	artifactIDRe = idShape{"a_"}
	sessionIDRe  = idShape{"pbs_"}
	workflowIDRe = idShape{"wpid_"}
)

// idShape is a Skyvern ID with one of these prefixes.
type idShape []string

// MatchString reports whether s is a valid ID (client.ValidID) that starts
// with one of the prefixes and has more after it.
func (p idShape) MatchString(s string) bool {
	if !client.ValidID(s) {
		return false
	}
	for _, prefix := range p {
		if len(s) > len(prefix) && strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// URI builders.
func runURI(id string) string       { return "skyvern://runs/" + id }
func timelineURI(id string) string  { return "skyvern://runs/" + id + "/timeline" }
func outputURI(id string) string    { return "skyvern://runs/" + id + "/output" }
func artifactsURI(id string) string { return "skyvern://runs/" + id + "/artifacts" }
func recordingURI(id string) string { return "skyvern://runs/" + id + "/recording" }
func artifactURI(id string) string  { return "skyvern://artifacts/" + id }
func sessionURI(id string) string   { return "skyvern://browser_sessions/" + id }
func sessionRecordingURI(id string, i int) string {
	return "skyvern://browser_sessions/" + id + "/recordings/" + strconv.Itoa(i)
}
func workflowURI(id string) string { return "skyvern://workflows/" + id }

// uriError is a URI the server refuses; its text says what would be accepted.
type uriError struct{ uri, why string }

func (e *uriError) Error() string {
	return fmt.Sprintf("invalid resource URI %q: %s. Known forms: skyvern://runs/{run_id}[/output|/timeline|/artifacts|/recording], "+
		"skyvern://artifacts/{artifact_id}, skyvern://browser_sessions/{browser_session_id}[/recordings/{index}], "+
		"skyvern://workflows/{workflow_permanent_id}[?version=N]", e.uri, e.why)
}

// parseURI parses a skyvern:// URI strictly: the exact paths above, IDs of
// Skyvern's shape, no user info, port, fragment or unknown query.
func parseURI(raw string) (ref, error) {
	bad := func(format string, a ...any) (ref, error) {
		return ref{}, &uriError{uri: raw, why: fmt.Sprintf(format, a...)}
	}
	if len(raw) > 512 {
		return bad("longer than 512 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URI")
	}
	if u.Scheme != Scheme {
		return bad("the scheme must be %s://", Scheme)
	}
	if u.Opaque != "" || u.User != nil || u.Fragment != "" || u.Port() != "" || u.RawPath != "" {
		return bad("unexpected user info, port, fragment or escaped characters")
	}
	var segs []string
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		segs = strings.Split(p, "/")
	}
	if u.Path != "" && !strings.HasPrefix(u.Path, "/") {
		return bad("malformed path")
	}
	var q url.Values
	if u.RawQuery != "" || u.ForceQuery {
		if q, err = url.ParseQuery(u.RawQuery); err != nil {
			return bad("malformed query")
		}
	}
	noQuery := func(r ref) (ref, error) {
		if q != nil {
			return bad("this resource takes no query parameters")
		}
		return r, nil
	}
	id := func(re idShape) (string, bool) {
		if len(segs) == 0 || !re.MatchString(segs[0]) {
			return "", false
		}
		return segs[0], true
	}
	switch u.Host {
	case "runs":
		if len(segs) == 0 {
			return noQuery(ref{kind: kindRecentRuns})
		}
		rid, ok := id(runIDRe)
		if !ok {
			return bad("%q is not a Skyvern run ID (tsk_..., tsk_v2_... or wr_...)", segs[0])
		}
		r := ref{kind: kindRun, id: rid}
		switch {
		case len(segs) == 1:
		case len(segs) == 2 && segs[1] == "timeline":
			r.kind = kindTimeline
		case len(segs) == 2 && segs[1] == "output":
			r.kind = kindOutput
		case len(segs) == 2 && segs[1] == "artifacts":
			r.kind = kindArtifacts
		case len(segs) == 2 && segs[1] == "recording":
			r.kind = kindRecording
		default:
			return bad("unknown path under a run (expected nothing, /output, /timeline, /artifacts or /recording)")
		}
		return noQuery(r)
	case "artifacts":
		aid, ok := id(artifactIDRe)
		if !ok {
			return bad("%q is not a Skyvern artifact ID (a_...)", strings.Join(segs, "/"))
		}
		if len(segs) != 1 {
			return bad("unknown path under an artifact")
		}
		return noQuery(ref{kind: kindArtifact, id: aid})
	case "browser_sessions":
		sid, ok := id(sessionIDRe)
		if !ok {
			return bad("%q is not a Skyvern browser session ID (pbs_...)", strings.Join(segs, "/"))
		}
		switch {
		case len(segs) == 1:
			return noQuery(ref{kind: kindSession, id: sid})
		case len(segs) == 3 && segs[1] == "recordings":
			n, err := strconv.Atoi(segs[2])
			if err != nil || n < 0 || n > 9999 || strconv.Itoa(n) != segs[2] {
				return bad("recording index %q is not a number from 0", segs[2])
			}
			return noQuery(ref{kind: kindSessionRecording, id: sid, index: n})
		}
		return bad("unknown path under a browser session (expected nothing or /recordings/{index})")
	case "workflows":
		wid, ok := id(workflowIDRe)
		if !ok {
			return bad("%q is not a Skyvern workflow permanent ID (wpid_...)", strings.Join(segs, "/"))
		}
		if len(segs) != 1 {
			return bad("unknown path under a workflow")
		}
		r := ref{kind: kindWorkflow, id: wid}
		for k := range q {
			if k != "version" {
				return bad("unknown query parameter %q (only version)", k)
			}
		}
		if vs, ok := q["version"]; ok {
			n, err := strconv.Atoi(vs[0])
			if len(vs) != 1 || err != nil || n < 1 || strconv.Itoa(n) != vs[0] {
				return bad("version must be one whole number from 1")
			}
			r.version = n
		}
		return r, nil
	}
	return bad("unknown resource %q", u.Host)
}
