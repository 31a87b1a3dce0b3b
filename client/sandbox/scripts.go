package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// script is a script with all its versions, oldest first. The sandbox keeps
// each version's file tree, not the file contents.
type script struct {
	id       string
	created  time.Time
	versions []*scriptVersion
}

type scriptVersion struct {
	resp      client.Script
	tree      map[string]client.FileNode
	fileCount int
}

func (sc *script) latest() *scriptVersion { return sc.versions[len(sc.versions)-1] }

var fileEncodings = client.FileEncoding("").EnumValues()

var scriptFileFields = []field{
	req("path", kString), req("content", kString), enumField("encoding", fileEncodings).nn(), opt("mime_type", kString),
}

// mimeTypes are the types guessed from file extensions when mime_type is
// omitted (a fixed table, so answers do not depend on the host's
// /etc/mime.types).
var mimeTypes = map[string]string{
	".py": "text/x-python", ".txt": "text/plain", ".md": "text/markdown", ".json": "application/json",
	".js": "text/javascript", ".ts": "text/typescript", ".yaml": "application/yaml", ".yml": "application/yaml",
	".toml": "application/toml", ".html": "text/html", ".csv": "text/csv", ".sh": "text/x-shellscript",
}

// scriptFile is a validated file of a create or deploy request.
type scriptFile struct {
	path, mime string
	data       []byte
}

// readScriptFiles validates the files array at l and decodes each file's
// content (base64 unless encoding is utf-8).
func readScriptFiles(v any, l []any) ([]scriptFile, []verr) {
	list, ok := v.([]any)
	if !ok {
		return nil, []verr{{Type: "list_type", Loc: l, Msg: "Input should be a valid list", Input: v}}
	}
	var out []scriptFile
	var errs []verr
	for i, item := range list {
		il := with(l, i)
		m, ok := item.(map[string]any)
		if !ok {
			errs = append(errs, verr{Type: "model_attributes_type", Loc: il, Msg: "Input should be a valid dictionary or object to extract fields from", Input: item})
			continue
		}
		if fe := validateObject(m, scriptFileFields, il); len(fe) > 0 {
			errs = append(errs, fe...)
			continue
		}
		f := scriptFile{path: m["path"].(string)}
		content := m["content"].(string)
		if enc, _ := m["encoding"].(string); enc == string(client.FileEncodingUTF8) {
			f.data = []byte(content)
		} else {
			data, err := base64.StdEncoding.DecodeString(content)
			if err != nil {
				errs = append(errs, valueError(with(il, "content"), content, "Invalid base64-encoded string"))
				continue
			}
			f.data = data
		}
		f.mime, _ = m["mime_type"].(string)
		if f.mime == "" {
			f.mime = mimeTypes[strings.ToLower(path.Ext(f.path))]
		}
		if f.mime == "" {
			f.mime = "application/octet-stream"
		}
		out = append(out, f)
	}
	return out, errs
}

// fileTree builds the tree Skyvern returns: directories from the path
// segments, files with their size, MIME type and sha256.
func fileTree(files []scriptFile, now time.Time) map[string]client.FileNode {
	root := map[string]client.FileNode{}
	for _, f := range files {
		parts := strings.Split(f.path, "/")
		level := root
		for _, dir := range parts[:len(parts)-1] {
			node, ok := level[dir]
			if !ok || node.Type != "directory" {
				node = client.FileNode{Type: "directory", CreatedAt: ts(now), Children: map[string]client.FileNode{}}
				level[dir] = node
			}
			level = node.Children
		}
		size := int64(len(f.data))
		sum := sha256.Sum256(f.data)
		level[parts[len(parts)-1]] = client.FileNode{Type: "file", Size: &size, MimeType: f.mime,
			ContentHash: "sha256:" + hex.EncodeToString(sum[:]), CreatedAt: ts(now)}
	}
	return root
}

func createScriptResponse(v *scriptVersion) client.CreateScriptResponse {
	return client.CreateScriptResponse{ScriptID: v.resp.ScriptID, Version: v.resp.Version, RunID: v.resp.RunID,
		FileCount: v.fileCount, FileTree: v.tree, CreatedAt: v.resp.CreatedAt}
}

func (s *Server) newScriptVersion(sc *script, runID string, files []scriptFile, now time.Time) *scriptVersion {
	v := &scriptVersion{tree: fileTree(files, now), fileCount: len(files), resp: client.Script{
		ScriptRevisionID: newID("sr_"), ScriptID: sc.id, OrganizationID: OrganizationID, RunID: runID,
		Version: len(sc.versions) + 1, CreatedAt: ts(now), ModifiedAt: ts(now),
	}}
	sc.versions = append(sc.versions, v)
	return v
}

var createScriptFields = []field{opt("workflow_id", kString), opt("run_id", kString), opt("files", kList)}

func (s *Server) createScript(w http.ResponseWriter, r *http.Request) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, createScriptFields, loc("body"))
	}
	var files []scriptFile
	if len(errs) == 0 && obj["files"] != nil {
		files, errs = readScriptFiles(obj["files"], loc("body", "files"))
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	runID, _ := obj["run_id"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if runID != "" {
		if _, ok := s.runs[runID]; !ok {
			writeDetail(w, http.StatusNotFound, fmt.Sprintf("Run_id %s not found", runID))
			return
		}
	}
	now := s.now()
	sc := &script{id: newID("s_"), created: now}
	v := s.newScriptVersion(sc, runID, files, now)
	s.scripts[sc.id] = sc
	writeJSON(w, http.StatusOK, createScriptResponse(v))
}

// lookupScript finds a script or answers 404 as Skyvern does. Call with
// s.mu held.
func (s *Server) lookupScript(w http.ResponseWriter, id string) *script {
	if sc, ok := s.scripts[id]; ok {
		return sc
	}
	writeDetail(w, http.StatusNotFound, "Script not found")
	return nil
}

func (s *Server) getScripts(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page, size := q.int("page", 1, 1), q.int("page_size", 10, 1)
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	all := make([]*script, 0, len(s.scripts))
	for _, sc := range s.scripts {
		all = append(all, sc)
	}
	newestFirst(all, func(sc *script) (time.Time, string) { return sc.created, sc.id })
	out := make([]client.Script, 0, len(all))
	for _, sc := range all {
		out = append(out, sc.latest().resp)
	}
	writeJSON(w, http.StatusOK, paginate(out, page, size))
}

func (s *Server) getScript(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.lookupScript(w, r.PathValue("script_id"))
	if sc == nil {
		return
	}
	writeJSON(w, http.StatusOK, sc.latest().resp)
}

func (s *Server) deployScript(w http.ResponseWriter, r *http.Request) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, []field{req("files", kList)}, loc("body"))
	}
	var files []scriptFile
	if len(errs) == 0 {
		files, errs = readScriptFiles(obj["files"], loc("body", "files"))
	}
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	sc := s.lookupScript(w, r.PathValue("script_id"))
	if sc == nil {
		return
	}
	v := s.newScriptVersion(sc, sc.latest().resp.RunID, files, s.now())
	writeJSON(w, http.StatusOK, createScriptResponse(v))
}

// runScript answers null, as Skyvern does: the script runs in the
// background and no run ID comes back.
func (s *Server) runScript(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.lookupScript(w, r.PathValue("script_id"))
	if sc == nil {
		return
	}
	writeNull(w)
}
