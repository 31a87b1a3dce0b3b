package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// folder is a workflow folder. Which workflows are in it is not stored
// here: a workflow is in a folder when the FolderID of its latest version
// says so, as in Skyvern, so that anything that moves a workflow (create
// with folder_id, PUT /v1/agents/{id}/folder) only sets that field; it
// should call liveFolder to check the folder and touchFolder to update its
// modified_at.
type folder struct {
	id, title, description string
	created, modified      time.Time
}

// folderMaxTitle is the FolderCreate/FolderUpdate title's maxLength.
const folderMaxTitle = 255

var (
	folderCreateFields = []field{req("title", kString).minLength(1), opt("description", kString)}
	folderUpdateFields = []field{opt("title", kString).minLength(1), opt("description", kString)}
)

// liveFolder returns the folder with this ID, or nil when there is none
// (never created, or deleted). Call with s.mu held.
func (s *Server) liveFolder(id string) *folder { return s.folders[id] }

// touchFolder sets a folder's modified_at to now, as Skyvern does when it
// changes or a workflow moves into it. Call with s.mu held.
func (s *Server) touchFolder(id string) {
	if f := s.folders[id]; f != nil {
		f.modified = s.now()
	}
}

// folderWorkflows returns the live workflows whose latest version is in
// the folder. Call with s.mu held.
func (s *Server) folderWorkflows(id string) []*workflow {
	var out []*workflow
	for _, wf := range s.workflows {
		if !wf.deleted && wf.latest().FolderID == id {
			out = append(out, wf)
		}
	}
	return out
}

// folderResponse is the Folder answer, with its workflow count. Call with
// s.mu held.
func (s *Server) folderResponse(f *folder) client.Folder {
	return client.Folder{
		Title: f.title, Description: f.description, FolderID: f.id, OrganizationID: OrganizationID,
		WorkflowCount: len(s.folderWorkflows(f.id)), CreatedAt: ts(f.created), ModifiedAt: ts(f.modified),
	}
}

// maxLengthErrors adds pydantic's string_too_long for strings over their
// maxLength (validateObject checks only minimum lengths).
func maxLengthErrors(obj map[string]any, base []any, limits map[string]int) []verr {
	var errs []verr
	for _, name := range sortedKeys(limits) {
		s, ok := obj[name].(string)
		if !ok || len([]rune(s)) <= limits[name] {
			continue
		}
		n := limits[name]
		errs = append(errs, verr{Type: "string_too_long", Loc: with(base, name), Input: s,
			Msg: fmt.Sprintf("String should have at most %d character%s", n, plural(n)), Ctx: map[string]any{"max_length": n}})
	}
	return errs
}

func (s *Server) createFolder(w http.ResponseWriter, r *http.Request) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = append(validateObject(obj, folderCreateFields, loc("body")),
			maxLengthErrors(obj, loc("body"), map[string]int{"title": folderMaxTitle})...)
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	desc, _ := obj["description"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	f := &folder{id: newID("fld_"), title: obj["title"].(string), description: desc, created: now, modified: now}
	s.folders[f.id] = f
	writeJSON(w, http.StatusOK, s.folderResponse(f))
}

func (s *Server) getFolders(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page, size := q.int("page", 1, 1), q.int("page_size", 100, 1)
	if size > 500 {
		q.errs = append(q.errs, verr{Type: "less_than_equal", Loc: loc("query", "page_size"),
			Msg: "Input should be less than or equal to 500", Input: q.str("page_size"), Ctx: map[string]any{"le": 500}})
	}
	search := strings.ToLower(q.str("search"))
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	var all []*folder
	for _, f := range s.folders {
		if search == "" || strings.Contains(strings.ToLower(f.title), search) || strings.Contains(strings.ToLower(f.description), search) {
			all = append(all, f)
		}
	}
	// Skyvern orders folders by modified_at, newest first.
	newestFirst(all, func(f *folder) (time.Time, string) { return f.modified, f.id })
	out := make([]client.Folder, 0, len(all))
	for _, f := range paginate(all, page, size) {
		out = append(out, s.folderResponse(f))
	}
	writeJSON(w, http.StatusOK, out)
}

// lookupFolder finds a live folder or answers 404. Call with s.mu held.
func (s *Server) lookupFolder(w http.ResponseWriter, id string) *folder {
	if f := s.liveFolder(id); f != nil {
		return f
	}
	writeDetail(w, http.StatusNotFound, fmt.Sprintf("Folder %s not found", id))
	return nil
}

func (s *Server) getFolder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.lookupFolder(w, r.PathValue("folder_id")); f != nil {
		writeJSON(w, http.StatusOK, s.folderResponse(f))
	}
}

func (s *Server) updateFolder(w http.ResponseWriter, r *http.Request) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = append(validateObject(obj, folderUpdateFields, loc("body")),
			maxLengthErrors(obj, loc("body"), map[string]int{"title": folderMaxTitle})...)
	}
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	f := s.lookupFolder(w, r.PathValue("folder_id"))
	if f == nil {
		return
	}
	// null or absent leaves a field as it is.
	if t, ok := obj["title"].(string); ok {
		f.title = t
	}
	if d, ok := obj["description"].(string); ok {
		f.description = d
	}
	s.touchFolder(f.id)
	writeJSON(w, http.StatusOK, s.folderResponse(f))
}

func (s *Server) deleteFolder(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	deleteWorkflows := q.bool("delete_workflows")
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	f := s.lookupFolder(w, r.PathValue("folder_id"))
	if f == nil {
		return
	}
	if deleteWorkflows {
		for _, wf := range s.folderWorkflows(f.id) {
			wf.deleted = true
		}
	} else {
		// The workflows stay, out of any folder (every version, as Skyvern
		// clears folder_id on all rows).
		for _, wf := range s.workflows {
			for _, v := range wf.versions {
				if v.FolderID == f.id {
					v.FolderID = ""
				}
			}
		}
	}
	delete(s.folders, f.id)
	writeJSON(w, http.StatusOK, client.DeleteFolderResult{Status: "deleted", FolderID: f.id, WorkflowsDeleted: deleteWorkflows})
}
