package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
)

// Result size limits.
const (
	// DefaultMaxResultBytes is the default cap on one tool result, in bytes
	// of its JSON encoding (every content item plus structuredContent): 1 MiB.
	DefaultMaxResultBytes = 1 << 20
	// MinMaxResultBytes is the smallest cap accepted: 64 KiB.
	MinMaxResultBytes = 64 << 10
	// MaxTextCopyBytes is the largest JSON text copy of structured content:
	// a result whose JSON is larger gets a shortened copy in its text (with
	// a note saying what was cut and where the rest is) instead of the
	// same payload twice: 32 KiB.
	MaxTextCopyBytes = 32 << 10
)

// restPointer is implemented by outputs that can say where the whole of a
// shortened field is (a resource URI or a tool call); path is the field's
// JSON path, such as "output" or "artifacts".
type restPointer interface{ restOf(path string) string }

// textNoter adds a line of text after the JSON text copy (the run's
// resource URIs, for clients that show the model only text).
type textNoter interface{ textNote() string }

// serverWarner is an answer that can carry a warning from Skyvern (a browser
// session timeout it capped): the warning is repeated as its own line of
// text, so a model that skims the JSON still reads it.
type serverWarner interface{ ServerWarning() string }

// resultShaper builds tool results within the size cap, keeping structured
// content valid against the tool's output schema (whose fields carry JSON
// types only): strings are truncated, arrays cut, and an object or array
// whose schema allows a string is replaced by a string marker holding the
// start of its JSON.
type resultShaper struct {
	raw    json.RawMessage
	once   sync.Once
	schema map[string]any
}

func (s *resultShaper) outputSchema() map[string]any {
	if s == nil {
		return nil
	}
	s.once.Do(func() { _ = json.Unmarshal(s.raw, &s.schema) })
	return s.schema
}

// maxResultBytes is the effective result cap.
func (d *Deps) maxResultBytes() int {
	if d == nil || d.MaxResultBytes <= 0 {
		return DefaultMaxResultBytes
	}
	return max(d.MaxResultBytes, MinMaxResultBytes)
}

// structuredResult returns out as structured content plus a compact JSON
// text copy, followed by any extra content, within the default cap.
func structuredResult(out any) (*mcp.CallToolResult, error) {
	return (*resultShaper)(nil).result(nil, out)
}

// cut records one shortened field: for a string, bytes of the string;
// for an object or array turned into a string, bytes of its JSON; for a
// cut list, its items and bytes of JSON.
type cut struct {
	path     string
	from, to int
	items    [2]int
}

func (c cut) String() string {
	if c.items[1] > 0 {
		return fmt.Sprintf("%s: %d of %d items kept (%d of %d bytes)", c.path, c.items[0], c.items[1], c.to, c.from)
	}
	if c.to == 0 {
		return fmt.Sprintf("%s: left out (%d bytes)", c.path, c.from)
	}
	return fmt.Sprintf("%s: %d of %d bytes kept", c.path, c.to, c.from)
}

// result builds the tool result for out: as before (structured content and
// its whole JSON as text) when that is small; otherwise structured content
// shortened only as much as the cap needs, and a text that says what was
// cut and where the rest is, followed by a shortened JSON copy.
func (s *resultShaper) result(d *Deps, out any) (*mcp.CallToolResult, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return mcp.NewToolResultError("encoding the result failed: " + err.Error()), nil
	}
	var extra []mcp.Content
	if p, ok := out.(contentProvider); ok {
		extra = p.extraContent()
	}
	if d != nil && d.NoResourceLinkItems {
		extra = withoutLinks(extra)
	}
	note := ""
	if n, ok := out.(textNoter); ok {
		note = n.textNote()
	}
	if w, ok := out.(serverWarner); ok && w.ServerWarning() != "" {
		note = strings.TrimSpace("Skyvern warned: " + w.ServerWarning() + "\n" + note)
	}
	limit := d.maxResultBytes()
	build := func(text string, structured []byte) *mcp.CallToolResult {
		res := &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(text)}, StructuredContent: json.RawMessage(structured)}
		if note != "" {
			res.Content = append(res.Content, mcp.NewTextContent(note))
		}
		res.Content = append(res.Content, extra...)
		return res
	}
	if len(b) <= MaxTextCopyBytes {
		res := build(string(b), b)
		if onlyLinks(extra) || size(res) <= limit {
			return res, nil
		}
	}
	rest := func(path string) string {
		if p, ok := out.(restPointer); ok {
			if r := p.restOf(path); r != "" {
				return r
			}
		}
		return "narrow the request (filters, fewer items) or raise the server's --max-result-bytes"
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return mcp.NewToolResultError("encoding the result failed: " + err.Error()), nil
	}
	schema := s.outputSchema()
	textBudget := min(MaxTextCopyBytes, limit/4)
	extraBytes := size(build("", nil)) + len(note)
	budget := limit - extraBytes - textBudget - 2048
	for attempt := 0; attempt < 4; attempt++ {
		if budget < 256 {
			break
		}
		var cuts []cut
		sv := shrink(v, schema, "", budget, &cuts)
		sb, err := json.Marshal(sv)
		if err != nil {
			break
		}
		var tcuts []cut
		tv := shrink(sv, schema, "", textBudget-1024, &tcuts)
		tb, _ := json.Marshal(tv)
		text := describeCuts(len(b), limit, cuts, tcuts, len(tb), rest) + "\n" + string(tb)
		res := build(text, sb)
		if n := size(res); n > limit {
			budget -= n - limit + 1024
			continue
		}
		return res, nil
	}
	return mcp.NewToolResultError(fmt.Sprintf("the result (%d bytes of JSON) does not fit in the %d-byte result limit even shortened; "+
		"%s", len(b), limit, rest(""))), nil
}

// describeCuts is the note that starts a shortened result's text.
func describeCuts(whole, limit int, cuts, tcuts []cut, textJSON int, rest func(string) string) string {
	var sb strings.Builder
	if len(cuts) == 0 {
		fmt.Fprintf(&sb, "This result is %d bytes of JSON: structuredContent carries it whole; the JSON below is shortened to %d bytes", whole, textJSON)
		if len(tcuts) > 0 {
			sb.WriteString(" (" + joinCuts(tcuts) + ")")
		}
		sb.WriteString(".")
		return sb.String()
	}
	fmt.Fprintf(&sb, "This result is %d bytes of JSON, over the server's %d-byte result limit, so it was shortened: %s.", whole, limit, joinCuts(cuts))
	seen := map[string]bool{}
	for _, c := range cuts {
		top := topField(c.path)
		if r := rest(top); !seen[r] {
			seen[r] = true
			if top == "" {
				top = "the result"
			}
			fmt.Fprintf(&sb, " For all of %s: %s.", top, r)
		}
	}
	fmt.Fprintf(&sb, " The JSON below is shortened further, to %d bytes.", textJSON)
	return sb.String()
}

func joinCuts(cs []cut) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// topField is the first field of a path ("output" of "output.rows[3]").
func topField(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

func size(res *mcp.CallToolResult) int {
	b, err := json.Marshal(res)
	if err != nil {
		return 0
	}
	return len(b)
}

// onlyLinks reports whether every item is a resource link (small).
func onlyLinks(cs []mcp.Content) bool {
	for _, c := range cs {
		if _, ok := c.(mcp.ResourceLink); !ok {
			return false
		}
	}
	return true
}

func withoutLinks(cs []mcp.Content) []mcp.Content {
	out := cs[:0:0]
	for _, c := range cs {
		if _, ok := c.(mcp.ResourceLink); !ok {
			out = append(out, c)
		}
	}
	return out
}

func jsonLen(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// schemaAt returns the schema of the child key (an object property) or of
// array items (key == "[]"); nil when unknown.
func schemaAt(schema map[string]any, key string) map[string]any {
	if schema == nil {
		return nil
	}
	if key == "[]" {
		m, _ := schema["items"].(map[string]any)
		return m
	}
	props, _ := schema["properties"].(map[string]any)
	m, _ := props[key].(map[string]any)
	return m
}

// allowsString reports whether a schema node accepts a string: it names no
// type, or "string" among its types.
func allowsString(schema map[string]any) bool {
	if schema == nil {
		return false
	}
	switch t := schema["type"].(type) {
	case nil:
		return true
	case string:
		return t == "string"
	case []any:
		for _, x := range t {
			if x == "string" {
				return true
			}
		}
	}
	return false
}

// shrink returns v encoded in at most budget bytes (as far as it can),
// appending what it cut to cuts.
func shrink(v any, schema map[string]any, path string, budget int, cuts *[]cut) any {
	n := jsonLen(v)
	if n <= budget {
		return v
	}
	switch x := v.(type) {
	case string:
		s, kept := truncateJSONString(x, budget-len(cutMarker(0, 0)))
		*cuts = append(*cuts, cut{path: orRoot(path), from: len(x), to: kept})
		return s
	case []any, map[string]any:
		if path != "" && allowsString(schema) {
			b, _ := json.Marshal(x)
			s, kept := truncateJSONString(string(b), budget-len(cutMarker(0, 0))-64)
			*cuts = append(*cuts, cut{path: path, from: len(b), to: kept})
			return s
		}
	}
	switch x := v.(type) {
	case []any:
		item := schemaAt(schema, "[]")
		out := make([]any, 0, len(x))
		used := 2
		for i, e := range x {
			en := jsonLen(e)
			if used+en+1 > budget {
				if i == 0 && budget-used > 128 {
					out = append(out, shrink(e, item, path+"[0]", budget-used-1, cuts))
				}
				break
			}
			out = append(out, e)
			used += en + 1
		}
		*cuts = append(*cuts, cut{path: orRoot(path), from: n, to: jsonLen(out), items: [2]int{len(out), len(x)}})
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		sizes := make(map[string]int, len(x))
		keys := make([]string, 0, len(x))
		for k, e := range x {
			out[k] = e
			sizes[k] = jsonLen(e)
			keys = append(keys, k)
		}
		// Water-filling: small fields stay whole; every field larger than
		// a common share is shortened to it (or left out when the share is
		// too small to say anything).
		sort.Slice(keys, func(i, j int) bool {
			if sizes[keys[i]] != sizes[keys[j]] {
				return sizes[keys[i]] < sizes[keys[j]]
			}
			return keys[i] < keys[j]
		})
		avail := budget - 2
		for _, k := range keys {
			avail -= len(strconv.Quote(k)) + 2
		}
		share := -1
		for i, k := range keys {
			left := len(keys) - i
			if sizes[k]*left <= avail {
				avail -= sizes[k]
				continue
			}
			share = avail / left
			break
		}
		if share < 0 {
			return out
		}
		for _, k := range keys {
			if sizes[k] <= share {
				continue
			}
			child := join(path, k)
			if share < 64 {
				delete(out, k)
				*cuts = append(*cuts, cut{path: child, from: sizes[k]})
				continue
			}
			out[k] = shrink(x[k], schemaAt(schema, k), child, share, cuts)
		}
		return out
	}
	return v
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(result)"
	}
	return path
}

// cutMarker ends a truncated string.
func cutMarker(kept, whole int) string {
	return fmt.Sprintf(" … [cut by skyvern-mcp: %d of %d bytes shown]", kept, whole)
}

// truncateJSONString keeps the start of s so that it encodes as JSON in
// about budget bytes, at a rune boundary, and appends cutMarker; it also
// returns how many bytes of s it kept.
func truncateJSONString(s string, budget int) (string, int) {
	keep := max(budget-2, 0)
	for {
		if keep > len(s) {
			keep = len(s)
		}
		for keep > 0 && keep < len(s) && !utf8.RuneStart(s[keep]) {
			keep--
		}
		if n := jsonLen(s[:keep]); n <= budget || keep == 0 {
			return s[:keep] + cutMarker(keep, len(s)), keep
		} else {
			keep -= (n - budget) + 8
			if keep < 0 {
				keep = 0
			}
		}
	}
}
