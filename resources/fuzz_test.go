package resources

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// render is the canonical URI of a parsed ref.
func (r ref) render() string {
	switch r.kind {
	case kindRecentRuns:
		return "skyvern://runs"
	case kindRun:
		return runURI(r.id)
	case kindTimeline:
		return timelineURI(r.id)
	case kindOutput:
		return outputURI(r.id)
	case kindArtifacts:
		return artifactsURI(r.id)
	case kindRecording:
		return recordingURI(r.id)
	case kindArtifact:
		return artifactURI(r.id)
	case kindSession:
		return sessionURI(r.id)
	case kindSessionRecording:
		return sessionRecordingURI(r.id, r.index)
	case kindWorkflow:
		if r.version > 0 {
			return workflowURI(r.id) + "?version=" + strconv.Itoa(r.version)
		}
		return workflowURI(r.id)
	}
	return ""
}

// FuzzParseURI: parseURI never panics; a URI it accepts re-renders to a
// canonical URI that parses to the same ref (and renders to itself); a URI
// it refuses gets a *uriError that quotes it and says why. Seeds:
// testdata/fuzz/FuzzParseURI.
func FuzzParseURI(f *testing.F) {
	f.Add("skyvern://runs/tsk_v2_1/artifacts")
	f.Add("skyvern://workflows/wpid_1?version=2")
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := parseURI(raw)
		if err != nil {
			var ue *uriError
			if !errors.As(err, &ue) {
				t.Fatalf("parseURI(%q): error %T, want *uriError", raw, err)
			}
			if ue.uri != raw || ue.why == "" || !strings.Contains(err.Error(), "Known forms") {
				t.Fatalf("parseURI(%q): unclear error %q", raw, err)
			}
			return
		}
		if r.kind == 0 {
			t.Fatalf("parseURI(%q): accepted without a kind", raw)
		}
		canon := r.render()
		r2, err := parseURI(canon)
		if err != nil {
			t.Fatalf("parseURI(%q) = %+v renders to %q, which does not parse: %v", raw, r, canon, err)
		}
		if r2 != r {
			t.Fatalf("parseURI(%q) = %+v, but its rendering %q parses to %+v", raw, r, canon, r2)
		}
		if again := r2.render(); again != canon {
			t.Fatalf("rendering is not stable: %q then %q", canon, again)
		}
		// Accepted URIs never carry characters that would need escaping in
		// an API path.
		if strings.ContainsAny(r.id, "/%?#. \\") {
			t.Fatalf("parseURI(%q): ID %q has a character an ID never has", raw, r.id)
		}
	})
}
