package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// The operations of Skyvern's server document beyond the SDK's: DELETE
// /v1/files/{file_id}, GET /v1/browser_profiles/{profile_id}/usage, GET
// /v1/run-tag-suggestions and POST /v1/tag-values. Server code read:
// skyvern/forge/sdk/routes/agent_protocol.py (delete_file, upload_file,
// get_run_tag_suggestions, create_tag_value) and
// skyvern/forge/sdk/routes/browser_profiles.py (get_browser_profile_usage,
// whose repository counts seeded runs over the last 30 days).

// recentSeedWindow is how far back get_browser_profile_usage counts runs.
const recentSeedWindow = 30 * 24 * time.Hour

// deleteFile deletes an upload: 204, or 404 alike for unknown and already
// deleted files.
func (s *Server) deleteFile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("file_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	artID, ok := s.files[id]
	if !ok {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("File %s not found", id))
		return
	}
	delete(s.files, id)
	delete(s.artifacts, artID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getBrowserProfileUsage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("profile_id")
	if s.liveProfile(id) == nil {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Browser profile %s not found", id))
		return
	}
	out := client.BrowserProfileUsage{Workflows: []client.BrowserProfileUsageWorkflow{}, Credentials: []client.BrowserProfileUsageCredential{}}
	for _, wpid := range sortedKeys(s.workflows) {
		wf := s.workflows[wpid]
		if !wf.deleted && wf.latest().BrowserProfileID == id {
			out.Workflows = append(out.Workflows, client.BrowserProfileUsageWorkflow{WorkflowPermanentID: wpid, Title: wf.latest().Title, Via: "browser_profile_id"})
		}
	}
	for _, cid := range sortedKeys(s.credentials) {
		if c := s.credentials[cid]; c.resp.BrowserProfileID == id {
			out.Credentials = append(out.Credentials, client.BrowserProfileUsageCredential{CredentialID: cid, Name: c.resp.Name})
		}
	}
	since := s.now().Add(-recentSeedWindow)
	for _, run := range s.runs {
		if run.profileID == id && run.created.After(since) {
			out.RecentSeededRunCount++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// getRunTagSuggestions lists the distinct (key, value) pairs ever set on a
// run, from the event log (superseded and deleted tags included), keys and
// values in the order first set.
func (s *Server) getRunTagSuggestions(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := client.RunTagSuggestions{Keys: []string{}, ValuesByKey: map[string][]string{}, Labels: []string{}}
	seen := map[tagValueID]bool{}
	for _, e := range s.tags.events {
		id := tagValueID{e.key, e.value}
		if !e.target.run || e.deleted || e.value == "" || seen[id] {
			continue
		}
		seen[id] = true
		if e.key == "" {
			out.Labels = append(out.Labels, e.value)
			continue
		}
		if _, ok := out.ValuesByKey[e.key]; !ok {
			out.Keys = append(out.Keys, e.key)
		}
		out.ValuesByKey[e.key] = append(out.ValuesByKey[e.key], e.value)
	}
	writeJSON(w, http.StatusOK, out)
}

// createTagValue registers a grouped tag value: 200 with workflow_count 0,
// 409 if it exists, 422 for an invalid key, value or color.
func (s *Server) createTagValue(w http.ResponseWriter, r *http.Request) {
	obj, _, errs := readBody(w, r, true)
	var key, value, color string
	if len(errs) == 0 {
		if _, ok := obj["key"]; !ok {
			errs = append(errs, missing(loc("body", "key"), obj))
		} else if key = optTagKey(obj["key"], loc("body", "key"), &errs); key == "" && len(errs) == 0 {
			errs = append(errs, valueError(loc("body", "key"), obj["key"], "tag key is required"))
		}
		if _, ok := obj["value"]; !ok {
			errs = append(errs, missing(loc("body", "value"), obj))
		} else {
			value = newTagValue(obj["value"], loc("body", "value"), &errs)
		}
		if c, ok := obj["color"]; ok && c != nil {
			color = tagColor(c, loc("body", "color"), &errs)
		}
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags.init()
	id := tagValueID{key, value}
	if _, ok := s.tags.colors[id]; ok {
		writeDetail(w, http.StatusConflict, fmt.Sprintf("Tag value '%s:%s' already exists", key, value))
		return
	}
	if color == "" {
		color = tagPalette[rand.IntN(len(tagPalette))]
	}
	if _, ok := s.tags.keys[key]; !ok {
		s.tags.keys[key] = ""
	}
	s.tags.colors[id] = color
	writeJSON(w, http.StatusOK, client.TagValue{Key: key, Value: value, Color: color, WorkflowCount: 0})
}

// getArtifact is the server's hidden GET /v1/artifacts/{artifact_id}
// (agent_protocol.py get_artifact, the SDK's get_artifact): the artifact's
// metadata with a freshly signed signed_url; 404 "Artifact not found {id}".
func (s *Server) getArtifact(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("artifact_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := s.artifacts[id]
	var a client.Artifact
	switch {
	case ref == nil:
	case ref.runID != "":
		run := s.runs[ref.runID]
		if sn := run.at(s.now()); sn.artifactExists(ref.kind) {
			a = s.artifactView(ref, run, sn, s.baseURL(r))
		}
	case ref.sessionID != "":
		if end, closed := s.sessions[ref.sessionID].completedAt(s.now()); closed {
			c := s.content(ref, nil)
			a = client.Artifact{CreatedAt: ts(end), ModifiedAt: ts(end), ArtifactID: id, ArtifactType: artifactTypes[ref.kind],
				URI: fmt.Sprintf("s3://skyvern-sandbox/%s/%s/%s", OrganizationID, ref.sessionID, c.name), Checksum: c.sum,
				FileSize: &c.size, BrowserSessionID: ref.sessionID, SignedURL: s.signedURL(s.baseURL(r), id), OrganizationID: OrganizationID}
		}
	default:
		c := s.content(ref, nil)
		a = client.Artifact{CreatedAt: ts(ref.created), ModifiedAt: ts(ref.created), ArtifactID: id, ArtifactType: artifactTypes[ref.kind],
			URI: fmt.Sprintf("s3://skyvern-uploads/%s/%s/%s", OrganizationID, id, c.name), Checksum: c.sum,
			FileSize: &c.size, SignedURL: s.signedURL(s.baseURL(r), id), OrganizationID: OrganizationID}
	}
	if a.ArtifactID == "" {
		writeDetail(w, http.StatusNotFound, "Artifact not found "+id)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
