package resources

import (
	"fmt"
	"sort"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// maxArtifactHints bounds the remembered artifact signed URLs.
const maxArtifactHints = 2000

// recentRuns remembers the runs this server has seen, in memory and
// bounded: the oldest seen is forgotten first. The 30 SDK operations have
// no "list runs" call, and GET /v1/runs is hidden (x-hidden) in Skyvern's
// spec, so the server lists what it saw rather than depending on it.
type recentRuns struct {
	mu    sync.Mutex
	max   int
	seq   uint64
	byID  map[string]*recentRun
	hints map[string]artifactHint
	order []string // artifact IDs, oldest first, for eviction
}

type recentRun struct {
	seq                      uint64
	id, status, runType      string
	title, appURL, createdAt string
	modifiedAt               string
}

// artifactHint is what the server knows of an artifact from a listing: the
// links to offer when its content is too large to send.
type artifactHint struct {
	signedURL, runID, appURL string
	// artifactType is the artifact's type from the listing, a fallback for
	// its media type when its bytes are not conclusive.
	artifactType client.ArtifactType
}

func newRecentRuns(max int) *recentRuns {
	return &recentRuns{max: max, byID: map[string]*recentRun{}, hints: map[string]artifactHint{}}
}

// see records or updates a run; it reports whether the run is new.
func (rr *recentRuns) see(run *client.Run) bool {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	e, ok := rr.byID[run.RunID]
	if !ok {
		rr.seq++
		e = &recentRun{seq: rr.seq, id: run.RunID}
		rr.byID[run.RunID] = e
		if len(rr.byID) > rr.max {
			var oldest *recentRun
			for _, x := range rr.byID {
				if oldest == nil || x.seq < oldest.seq {
					oldest = x
				}
			}
			delete(rr.byID, oldest.id)
		}
	}
	e.status, e.runType, e.appURL = string(run.Status), string(run.RunType), run.AppURL
	e.createdAt, e.modifiedAt = run.CreatedAt, run.ModifiedAt
	if rq := run.RunRequest; rq != nil && e.title == "" {
		e.title = rq.Title
		if e.title == "" {
			e.title = rq.Prompt
		}
		if len([]rune(e.title)) > 120 {
			e.title = string([]rune(e.title)[:117]) + "..."
		}
	}
	return !ok
}

func (rr *recentRuns) appURL(runID string) string {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if e := rr.byID[runID]; e != nil {
		return e.appURL
	}
	return ""
}

// page returns up to n runs seen before sequence number before, newest
// first, and the cursor sequence of the next page (0: none).
func (rr *recentRuns) page(before uint64, n int) ([]recentRun, uint64) {
	rr.mu.Lock()
	all := make([]recentRun, 0, len(rr.byID))
	for _, e := range rr.byID {
		if e.seq < before {
			all = append(all, *e)
		}
	}
	rr.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].seq > all[j].seq })
	if len(all) <= n {
		return all, 0
	}
	return all[:n], all[n-1].seq
}

// RecentRun is one entry of the skyvern://runs index.
type RecentRun struct {
	URI       string `json:"uri"`
	RunID     string `json:"run_id"`
	Status    string `json:"status"`
	RunType   string `json:"run_type,omitempty"`
	Title     string `json:"title,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
	AppURL    string `json:"app_url,omitempty"`
}

func (rr *recentRuns) index(n int) map[string]any {
	page, _ := rr.page(^uint64(0), n)
	out := make([]RecentRun, len(page))
	for i, e := range page {
		out[i] = RecentRun{URI: runURI(e.id), RunID: e.id, Status: e.status, RunType: e.runType, Title: e.title, CreatedAt: e.createdAt, AppURL: e.appURL}
	}
	return map[string]any{"count": len(out), "runs": out,
		"note": "Runs this server started or saw since it started, newest first (Skyvern's API has no public list of runs)."}
}

func (e recentRun) resource() mcp.Resource {
	title := fmt.Sprintf("Run %s (%s)", e.id, e.status)
	desc := fmt.Sprintf("Skyvern %s run, %s", e.runType, e.status)
	if e.title != "" {
		desc += ": " + e.title
	}
	res := mcp.Resource{URI: runURI(e.id), Name: e.id, Title: title, Description: desc, MIMEType: "application/json"}
	if e.modifiedAt != "" {
		res.Annotations = &mcp.Annotations{LastModified: e.modifiedAt}
	}
	return res
}

// seeArtifact remembers an artifact's signed URL, run and type.
func (rr *recentRuns) seeArtifact(artifactID, signedURL, runID string, artifactType client.ArtifactType) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if _, ok := rr.hints[artifactID]; !ok {
		rr.order = append(rr.order, artifactID)
		if len(rr.order) > maxArtifactHints {
			delete(rr.hints, rr.order[0])
			rr.order = rr.order[1:]
		}
	}
	rr.hints[artifactID] = artifactHint{signedURL: signedURL, runID: runID, artifactType: artifactType}
}

func (rr *recentRuns) artifactHint(artifactID string) artifactHint {
	rr.mu.Lock()
	h := rr.hints[artifactID]
	rr.mu.Unlock()
	if h.runID != "" {
		h.appURL = rr.appURL(h.runID)
	}
	return h
}
