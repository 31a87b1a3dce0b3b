package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// Tag rules, as Skyvern enforces them.
const (
	maxTagsPerTarget  = 20
	maxTagKeyLength   = 64
	maxTagValueLength = 256
	maxTagDescLength  = 500
	reservedTagPrefix = "skyvern."
	tagSource         = "manual"
)

var (
	tagKeyRE          = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	tagPalette        = client.TagColor("").EnumValues()
	reservedTagValues = []string{"__untagged__", "__other__"}
)

// tagTarget is what tags are applied to: a workflow (wpid_...) or a
// workflow run (wr_...).
type tagTarget struct {
	run bool
	id  string
}

// tagEvent is one row of the append-only tag event log. The active tags of
// a target are its "set" events that nothing superseded yet.
type tagEvent struct {
	id         string
	seq        int // orders events with the same time
	target     tagTarget
	key        string // "" for a standalone label
	value      string // "" on the delete of a grouped tag
	deleted    bool   // event_type "delete"
	at         time.Time
	superseded time.Time
}

type tagValueID struct{ key, value string }

// tagStore holds every tag of the sandbox: the event log, the tag-key
// registry (key -> description) and the tag-value registry (key, value ->
// color). Keys and values are registered when a grouped tag is first set.
// Guarded by Server.mu.
type tagStore struct {
	events []*tagEvent
	seq    int
	keys   map[string]string
	colors map[tagValueID]string
}

func (t *tagStore) init() {
	if t.keys == nil {
		t.keys = map[string]string{}
		t.colors = map[tagValueID]string{}
	}
}

func (t *tagStore) add(target tagTarget, key, value string, deleted bool, now time.Time) {
	t.seq++
	t.events = append(t.events, &tagEvent{id: newID("tev_"), seq: t.seq, target: target, key: key, value: value, deleted: deleted, at: now})
}

// active returns the active set events matching f, oldest first.
func (t *tagStore) active(f func(*tagEvent) bool) []*tagEvent {
	var out []*tagEvent
	for _, e := range t.events {
		if !e.deleted && e.superseded.IsZero() && f(e) {
			out = append(out, e)
		}
	}
	return out
}

func (t *tagStore) activeOn(target tagTarget) []*tagEvent {
	return t.active(func(e *tagEvent) bool { return e.target == target })
}

// grouped returns the active events of a grouped tag (key, and value unless
// it is "") on any target.
func (t *tagStore) grouped(key, value string) []*tagEvent {
	return t.active(func(e *tagEvent) bool { return e.key == key && (value == "" || e.value == value) })
}

// countTargets counts the distinct targets of events: the workflows that
// are not deleted, and the workflow runs. Call with s.mu held.
func (s *Server) countTargets(events []*tagEvent) (workflows, runs int) {
	seen := map[tagTarget]bool{}
	for _, e := range events {
		if seen[e.target] {
			continue
		}
		seen[e.target] = true
		if e.target.run {
			runs++
		} else if wf, ok := s.workflows[e.target.id]; ok && !wf.deleted {
			workflows++
		}
	}
	return workflows, runs
}

func tagView(e *tagEvent) client.Tag {
	return client.Tag{Key: e.key, Value: e.value, Source: tagSource, SetAt: ts(e.at), SetBy: OrganizationID}
}

// historyItem is client.TagHistoryItem on the wire: key and value are
// required there and null when absent, which the client type (omitempty)
// leaves out.
type historyItem struct {
	client.TagHistoryItem
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func historyView(e *tagEvent) historyItem {
	h := historyItem{TagHistoryItem: client.TagHistoryItem{TagEventID: e.id, EventType: "set", Source: tagSource,
		SetAt: ts(e.at), SetBy: OrganizationID, SupersededAt: ts(e.superseded)}, Key: nullable(e.key), Value: nullable(e.value)}
	if e.deleted {
		h.EventType = "delete"
	}
	return h
}

func (s *Server) tagsOf(target tagTarget) []client.Tag {
	out := []client.Tag{}
	for _, e := range s.tags.activeOn(target) {
		out = append(out, tagView(e))
	}
	return out
}

func (s *Server) writeTags(w http.ResponseWriter, target tagTarget) {
	if target.run {
		writeJSON(w, http.StatusOK, client.RunTags{WorkflowRunID: target.id, Tags: s.tagsOf(target)})
		return
	}
	writeJSON(w, http.StatusOK, client.WorkflowTags{WorkflowPermanentID: target.id, Tags: s.tagsOf(target)})
}

// ---- targets ----

// tagRun finds a workflow run to tag or answers 404. Only workflow runs
// (wr_: run_workflow, login, download_files) have tags: the path parameter
// is a workflow_run_id. Call with s.mu held.
func (s *Server) tagRun(w http.ResponseWriter, id string) (tagTarget, bool) {
	run, ok := s.runs[id]
	switch {
	case ok && run.runType.IsWorkflow():
		return tagTarget{run: true, id: id}, true
	case ok:
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow run %s not found: %s is a task run; tags apply to workflow runs (wr_...)", id, id))
	default:
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Workflow run %s not found", id))
	}
	return tagTarget{}, false
}

// tagWorkflow finds a live workflow to tag or answers 404. Call with s.mu
// held.
func (s *Server) tagWorkflow(w http.ResponseWriter, id string) (tagTarget, bool) {
	if s.lookupWorkflow(w, id) == nil {
		return tagTarget{}, false
	}
	return tagTarget{id: id}, true
}

// tagTargets is the kind of target of a tag route: the path parameter that
// names it and how to find it.
type tagTargets struct {
	param string
	find  func(s *Server, w http.ResponseWriter, id string) (tagTarget, bool)
}

var (
	runTags      = tagTargets{param: "workflow_run_id", find: (*Server).tagRun}
	workflowTags = tagTargets{param: "workflow_permanent_id", find: (*Server).tagWorkflow}
)

// lookup finds the target named in r's path or answers 404. Call with s.mu
// held.
func (k tagTargets) lookup(s *Server, w http.ResponseWriter, r *http.Request) (tagTarget, bool) {
	return k.find(s, w, r.PathValue(k.param))
}

// ---- validation (Skyvern's normalizers) ----

// tagKeyProblem says what is wrong with a trimmed, non-empty key.
func tagKeyProblem(k string) string {
	switch {
	case len(k) > maxTagKeyLength:
		return fmt.Sprintf("tag keys must be at most %d characters", maxTagKeyLength)
	case !tagKeyRE.MatchString(k):
		return "tag keys must match '^[A-Za-z0-9][A-Za-z0-9_.-]*$' (alphanumeric, underscore, dot, hyphen; must start with alphanumeric)"
	case strings.HasPrefix(k, reservedTagPrefix):
		return "tag keys must not start with the reserved '" + reservedTagPrefix + "' prefix"
	}
	return ""
}

// optTagKey normalizes an optional key: null or blank is "" (a standalone
// label).
func optTagKey(v any, l []any, errs *[]verr) string {
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		*errs = append(*errs, valueError(l, v, "tag key must be a string"))
		return ""
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if p := tagKeyProblem(s); p != "" {
		*errs = append(*errs, valueError(l, v, p))
	}
	return s
}

// tagValue normalizes a required value (label).
func tagValue(v any, l []any, errs *[]verr) string {
	s, ok := v.(string)
	if !ok {
		*errs = append(*errs, valueError(l, v, "tag value must be a string"))
		return ""
	}
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		*errs = append(*errs, valueError(l, v, "tag value is required"))
	case len([]rune(t)) > maxTagValueLength:
		*errs = append(*errs, valueError(l, v, fmt.Sprintf("tag values must be at most %d characters", maxTagValueLength)))
	case strings.Contains(t, ","):
		*errs = append(*errs, valueError(l, v, "tag values must not contain ','"))
	}
	return t
}

// newTagValue is tagValue for a value being brought into existence (set or
// rename target): the analytics bucket markers are reserved.
func newTagValue(v any, l []any, errs *[]verr) string {
	n := len(*errs)
	t := tagValue(v, l, errs)
	if len(*errs) == n && slices.Contains(reservedTagValues, t) {
		*errs = append(*errs, valueError(l, v, fmt.Sprintf("tag values must not be exactly '%s' (reserved as an analytics bucket marker)", t)))
	}
	return t
}

func tagColor(v any, l []any, errs *[]verr) string {
	s, ok := v.(string)
	c := strings.ToLower(strings.TrimSpace(s))
	if !ok || !slices.Contains(tagPalette, c) {
		*errs = append(*errs, valueError(l, v, "tag color must be one of: "+strings.Join(tagPalette, ", ")))
	}
	return c
}

// tagList reads an optional list of objects.
func tagList(obj map[string]any, name string, errs *[]verr) []map[string]any {
	v, ok := obj[name]
	if !ok || v == nil {
		return nil
	}
	l := loc("body", name)
	list, ok := v.([]any)
	if !ok {
		*errs = append(*errs, valueError(l, v, name+" must be a JSON array of {key, value} objects"))
		return nil
	}
	if len(list) > maxTagsPerTarget {
		*errs = append(*errs, valueError(l, v, fmt.Sprintf("%s can include at most %d entries", name, maxTagsPerTarget)))
		return nil
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			*errs = append(*errs, verr{Type: "model_type", Loc: with(l, i), Msg: "Input should be a valid dictionary or object to extract fields from", Input: x})
			continue
		}
		out[i] = m
	}
	return out
}

// tagChanges is a validated TagApplyRequest.
type tagChanges struct {
	setKeys      []string          // grouped keys to set, in order
	sets         map[string]string // key -> value (the last one given wins)
	labels       []string          // standalone labels to set
	deletes      []string          // grouped keys to delete
	labelDeletes []string          // standalone labels to delete
	colors       map[string]string
}

func readTagApply(w http.ResponseWriter, r *http.Request) (*tagChanges, []verr) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) > 0 {
		return nil, errs
	}
	ch := &tagChanges{sets: map[string]string{}, colors: map[string]string{}}
	for i, m := range tagList(obj, "tags", &errs) {
		if m == nil {
			continue
		}
		l := loc("body", "tags", i)
		key := optTagKey(m["key"], with(l, "key"), &errs)
		raw, ok := m["value"]
		if !ok {
			errs = append(errs, missing(with(l, "value"), m))
			continue
		}
		n := len(errs)
		value := newTagValue(raw, with(l, "value"), &errs)
		if len(errs) > n {
			continue
		}
		switch {
		case key == "" && strings.Contains(value, ":"):
			errs = append(errs, valueError(l, m, "standalone label values must not contain ':' (use a group, e.g. key:value)"))
		case key != "" && value == "*":
			errs = append(errs, valueError(l, m, "grouped tag values must not be exactly '*' (reserved as the group filter wildcard)"))
		case key == "":
			if !slices.Contains(ch.labels, value) {
				ch.labels = append(ch.labels, value)
			}
		default:
			if _, seen := ch.sets[key]; !seen {
				ch.setKeys = append(ch.setKeys, key)
			}
			ch.sets[key] = value
		}
	}
	for i, m := range tagList(obj, "tags_to_delete", &errs) {
		if m == nil {
			continue
		}
		l := loc("body", "tags_to_delete", i)
		key := optTagKey(m["key"], with(l, "key"), &errs)
		value := ""
		if v, ok := m["value"]; ok && v != nil {
			if s, isString := v.(string); !isString || strings.TrimSpace(s) != "" {
				value = tagValue(v, with(l, "value"), &errs)
			}
		}
		switch {
		case key == "" && value == "":
			errs = append(errs, valueError(l, m, "each delete target must specify a key (group) or a value (label)"))
		case key != "" && value != "":
			errs = append(errs, valueError(l, m, "a delete target must specify either a key (group) or a value (label), not both"))
		case key != "":
			ch.deletes = append(ch.deletes, key)
		default:
			ch.labelDeletes = append(ch.labelDeletes, value)
		}
	}
	if v, ok := obj["colors"]; ok && v != nil {
		m, isMap := v.(map[string]any)
		if !isMap {
			errs = append(errs, verr{Type: "dict_type", Loc: loc("body", "colors"), Msg: "Input should be a valid dictionary", Input: v})
		}
		for _, k := range sortedKeys(m) {
			if c, isString := m[k].(string); !isString {
				errs = append(errs, verr{Type: "string_type", Loc: loc("body", "colors", k), Msg: "Input should be a valid string", Input: m[k]})
			} else {
				ch.colors[strings.TrimSpace(k)] = tagColor(c, loc("body", "colors", k), &errs)
			}
		}
	}
	return ch, errs
}

// ---- applied tags ----

// lockTarget answers 422 with errs when there are any; otherwise it locks
// s and looks the target up (answering 404 when there is none). It returns
// true with s locked (the caller unlocks), false with s unlocked and the
// answer written.
func (s *Server) lockTarget(w http.ResponseWriter, r *http.Request, target tagTargets, errs []verr) (tagTarget, bool) {
	if !s.lockIfValid(w, errs) {
		return tagTarget{}, false
	}
	tg, ok := target.lookup(s, w, r)
	if !ok {
		s.mu.Unlock()
	}
	return tg, ok
}

func (s *Server) applyTags(target tagTargets) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ch, errs := readTagApply(w, r)
		tg, ok := s.lockTarget(w, r, target, errs)
		if !ok {
			return
		}
		defer s.mu.Unlock()
		s.tags.init()
		grouped, labels := map[string]*tagEvent{}, map[string]*tagEvent{}
		for _, e := range s.tags.activeOn(tg) {
			if e.key != "" {
				grouped[e.key] = e
			} else {
				labels[e.value] = e
			}
		}
		// Set wins over delete for the same tag.
		deletes := slices.DeleteFunc(slices.Clone(ch.deletes), func(k string) bool { _, set := ch.sets[k]; return set })
		labelDeletes := slices.DeleteFunc(slices.Clone(ch.labelDeletes), func(v string) bool { return slices.Contains(ch.labels, v) })

		projected := map[string]bool{}
		for k := range grouped {
			projected["k:"+k] = true
		}
		for v := range labels {
			projected["v:"+v] = true
		}
		for _, k := range ch.setKeys {
			projected["k:"+k] = true
		}
		for _, v := range ch.labels {
			projected["v:"+v] = true
		}
		for _, k := range deletes {
			delete(projected, "k:"+k)
		}
		for _, v := range labelDeletes {
			delete(projected, "v:"+v)
		}
		if len(projected) > maxTagsPerTarget {
			what := "workflow"
			if tg.run {
				what = "workflow run"
			}
			writeDetail(w, http.StatusUnprocessableEntity, fmt.Sprintf("%s %s would have %d user-writable tags; max is %d", what, tg.id, len(projected), maxTagsPerTarget))
			return
		}

		now := s.now()
		for _, k := range ch.setKeys {
			v := ch.sets[k]
			if cur := grouped[k]; cur == nil || cur.value != v {
				if cur != nil {
					cur.superseded = now
				}
				s.tags.add(tg, k, v, false, now)
			}
			if _, ok := s.tags.keys[k]; !ok {
				s.tags.keys[k] = ""
			}
			id := tagValueID{k, v}
			if c := ch.colors[k]; c != "" {
				s.tags.colors[id] = c
			} else if _, ok := s.tags.colors[id]; !ok {
				s.tags.colors[id] = tagPalette[rand.IntN(len(tagPalette))]
			}
		}
		for _, v := range ch.labels {
			if labels[v] == nil {
				s.tags.add(tg, "", v, false, now)
			}
		}
		for _, k := range deletes {
			if cur := grouped[k]; cur != nil {
				cur.superseded = now
				s.tags.add(tg, k, "", true, now)
			}
		}
		for _, v := range labelDeletes {
			if cur := labels[v]; cur != nil {
				cur.superseded = now
				s.tags.add(tg, "", v, true, now)
			}
		}
		s.writeTags(w, tg)
	}
}

func (s *Server) getTags(target tagTargets) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if tg, ok := target.lookup(s, w, r); ok {
			s.writeTags(w, tg)
		}
	}
}

// pathTagKey validates the {key} path parameter of the write endpoints.
func pathTagKey(r *http.Request) (string, []verr) {
	k := r.PathValue("key")
	if p := tagKeyProblem(k); p != "" {
		return "", []verr{valueError(loc("path", "key"), k, p)}
	}
	return k, nil
}

func (s *Server) deleteTag(target tagTargets) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, errs := pathTagKey(r)
		tg, ok := s.lockTarget(w, r, target, errs)
		if !ok {
			return
		}
		defer s.mu.Unlock()
		for _, e := range s.tags.activeOn(tg) {
			if e.key == key {
				now := s.now()
				e.superseded = now
				s.tags.add(tg, key, "", true, now)
			}
		}
		s.writeTags(w, tg)
	}
}

func (s *Server) tagHistory(target tagTargets) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := newQuery(r)
		limit := q.int("limit", 100, 1)
		if limit > 500 {
			q.errs = append(q.errs, verr{Type: "less_than_equal", Loc: loc("query", "limit"), Msg: "Input should be less than or equal to 500",
				Input: q.str("limit"), Ctx: map[string]any{"le": 500}})
		}
		var since time.Time
		if raw := q.str("since"); raw != "" {
			t, err := parseDateTime(raw)
			if err != nil {
				q.errs = append(q.errs, verr{Type: "datetime_from_date_parsing", Loc: loc("query", "since"), Msg: "Input should be a valid datetime or date, " + err.Error(), Input: raw})
			}
			since = t
		}
		key := q.str("key")
		if !s.lockIfValid(w, q.errs) {
			return
		}
		defer s.mu.Unlock()
		tg, ok := target.lookup(s, w, r)
		if !ok {
			return
		}
		var events []*tagEvent
		for _, e := range s.tags.events {
			if e.target == tg && !e.at.Before(since) && (key == "" || e.key == key) {
				events = append(events, e)
			}
		}
		sort.Slice(events, func(i, j int) bool {
			if !events[i].at.Equal(events[j].at) {
				return events[i].at.After(events[j].at)
			}
			return events[i].seq > events[j].seq
		})
		if len(events) > limit {
			events = events[:limit]
		}
		items := make([]historyItem, len(events))
		for i, e := range events {
			items[i] = historyView(e)
		}
		if tg.run {
			writeJSON(w, http.StatusOK, map[string]any{"workflow_run_id": tg.id, "events": items})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"workflow_permanent_id": tg.id, "events": items})
	}
}

// ---- tag keys ----

func (s *Server) listTagKeys(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []client.TagKey{}
	for _, k := range sortedKeys(s.tags.keys) {
		n, _ := s.countTargets(s.tags.grouped(k, ""))
		out = append(out, client.TagKey{Key: k, Description: s.tags.keys[k], WorkflowCount: n})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) updateTagKey(w http.ResponseWriter, r *http.Request) {
	key, errs := pathTagKey(r)
	obj, _, bodyErrs := readBody(w, r, true)
	errs = append(errs, bodyErrs...)
	var desc string
	if len(bodyErrs) == 0 {
		switch v := obj["description"].(type) {
		case nil:
		case string:
			desc = strings.TrimSpace(v)
			if len([]rune(desc)) > maxTagDescLength {
				errs = append(errs, valueError(loc("body", "description"), v, fmt.Sprintf("tag description must be at most %d characters", maxTagDescLength)))
			}
		default:
			errs = append(errs, valueError(loc("body", "description"), v, "description must be a string"))
		}
	}
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	if !s.tagKeyExists(w, key) {
		return
	}
	s.tags.keys[key] = desc
	n, _ := s.countTargets(s.tags.grouped(key, ""))
	writeJSON(w, http.StatusOK, client.TagKey{Key: key, Description: desc, WorkflowCount: n})
}

// removeGrouped supersedes every active tag of key (of key and value when
// value is not "") with a delete event, and counts the live workflows and
// the runs it was on. Call with s.mu held.
func (s *Server) removeGrouped(key, value string, now time.Time) (workflows, runs int) {
	active := s.tags.grouped(key, value)
	workflows, runs = s.countTargets(active)
	for _, e := range active {
		e.superseded = now
		s.tags.add(e.target, key, value, true, now)
	}
	return workflows, runs
}

// tagKeyExists reports whether the tag key exists, or answers 404. Call
// with s.mu held.
func (s *Server) tagKeyExists(w http.ResponseWriter, key string) bool {
	if _, ok := s.tags.keys[key]; !ok {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Tag key %s not found", key))
		return false
	}
	return true
}

func (s *Server) deleteTagKey(w http.ResponseWriter, r *http.Request) {
	key, errs := pathTagKey(r)
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	if !s.tagKeyExists(w, key) {
		return
	}
	wfs, runs := s.removeGrouped(key, "", s.now())
	delete(s.tags.keys, key)
	for id := range s.tags.colors {
		if id.key == key {
			delete(s.tags.colors, id)
		}
	}
	writeJSON(w, http.StatusOK, client.TagKeyDeleteResult{Key: key, RemovedFromWorkflowCount: wfs, RemovedFromRunCount: runs, RemovedCount: wfs + runs})
}

// ---- tag values ----

func (s *Server) tagValueView(id tagValueID) client.TagValue {
	n, _ := s.countTargets(s.tags.grouped(id.key, id.value))
	return client.TagValue{Key: id.key, Value: id.value, Color: s.tags.colors[id], WorkflowCount: n}
}

func (s *Server) listTagValues(w http.ResponseWriter, r *http.Request) {
	_, filtered := r.URL.Query()["key"]
	key := r.URL.Query().Get("key")
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]tagValueID, 0, len(s.tags.colors))
	for id := range s.tags.colors {
		if !filtered || id.key == key {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if ids[i].key != ids[j].key {
			return ids[i].key < ids[j].key
		}
		return ids[i].value < ids[j].value
	})
	out := make([]client.TagValue, len(ids))
	for i, id := range ids {
		out[i] = s.tagValueView(id)
	}
	writeJSON(w, http.StatusOK, out)
}

// readTagValueBody validates the {key} path parameter and a body whose
// fields are all required: value and color or new_value.
func readTagValueBody(w http.ResponseWriter, r *http.Request, fields ...string) (string, map[string]string, []verr) {
	key, errs := pathTagKey(r)
	obj, _, bodyErrs := readBody(w, r, true)
	errs = append(errs, bodyErrs...)
	out := map[string]string{}
	if len(bodyErrs) > 0 {
		return key, out, errs
	}
	for _, f := range fields {
		v, ok := obj[f]
		l := loc("body", f)
		switch {
		case !ok:
			errs = append(errs, missing(l, obj))
		case f == "color":
			out[f] = tagColor(v, l, &errs)
		case f == "new_value":
			n := len(errs)
			out[f] = newTagValue(v, l, &errs)
			if len(errs) == n && out[f] == "*" {
				errs = append(errs, valueError(l, v, "grouped tag values must not be exactly '*' (reserved as the group filter wildcard)"))
			}
		default:
			out[f] = tagValue(v, l, &errs)
		}
	}
	return key, out, errs
}

// tagValueExists reports whether (key, value) is registered or applied
// anywhere. Call with s.mu held.
func (s *Server) tagValueExists(id tagValueID) bool {
	_, registered := s.tags.colors[id]
	return registered || len(s.tags.grouped(id.key, id.value)) > 0
}

func tagValueNotFound(w http.ResponseWriter, id tagValueID) {
	writeDetail(w, http.StatusNotFound, fmt.Sprintf("Tag value %s:%s not found", id.key, id.value))
}

func (s *Server) updateTagValue(w http.ResponseWriter, r *http.Request) {
	key, in, errs := readTagValueBody(w, r, "value", "color")
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	id := tagValueID{key, in["value"]}
	if _, ok := s.tags.colors[id]; !ok {
		tagValueNotFound(w, id)
		return
	}
	s.tags.colors[id] = in["color"]
	writeJSON(w, http.StatusOK, s.tagValueView(id))
}

func (s *Server) deleteTagValue(w http.ResponseWriter, r *http.Request) {
	key, in, errs := readTagValueBody(w, r, "value")
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	id := tagValueID{key, in["value"]}
	if !s.tagValueExists(id) {
		tagValueNotFound(w, id)
		return
	}
	wfs, runs := s.removeGrouped(id.key, id.value, s.now())
	delete(s.tags.colors, id)
	writeJSON(w, http.StatusOK, client.TagValueDeleteResult{Key: id.key, Value: id.value,
		RemovedFromWorkflowCount: wfs, RemovedFromRunCount: runs, RemovedCount: wfs + runs})
}

func (s *Server) renameTagValue(w http.ResponseWriter, r *http.Request) {
	key, in, errs := readTagValueBody(w, r, "value", "new_value")
	if !s.lockIfValid(w, errs) {
		return
	}
	defer s.mu.Unlock()
	s.tags.init()
	from, to := tagValueID{key, in["value"]}, tagValueID{key, in["new_value"]}
	if !s.tagValueExists(from) {
		tagValueNotFound(w, from)
		return
	}
	if s.tagValueExists(to) {
		writeDetail(w, http.StatusConflict, fmt.Sprintf("Tag value %s:%s already exists; renaming would merge two values, which is not supported", to.key, to.value))
		return
	}
	now := s.now()
	active := s.tags.grouped(from.key, from.value)
	renamed, _ := s.countTargets(active)
	for _, e := range active {
		e.superseded = now
		s.tags.add(e.target, to.key, to.value, false, now)
	}
	color, ok := s.tags.colors[from]
	if !ok {
		color = tagPalette[rand.IntN(len(tagPalette))]
	}
	delete(s.tags.colors, from)
	s.tags.colors[to] = color
	writeJSON(w, http.StatusOK, client.TagValueRenameResult{Key: to.key, Value: to.value, Color: color, RenamedWorkflowCount: renamed})
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
