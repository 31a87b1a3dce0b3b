package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// extractionOutput returns a plausible run output for a
// data_extraction_schema: a value valid against it when it is a JSON Schema,
// an object with the named fields for a list of names or a {"field": "type"}
// shorthand, and a generic object for a text description or no schema.
func extractionOutput(schema any, summary string) any {
	switch s := schema.(type) {
	case nil:
		return map[string]any{"summary": summary}
	case string:
		var parsed any
		if err := json.Unmarshal([]byte(s), &parsed); err == nil {
			switch parsed.(type) {
			case map[string]any, []any:
				return extractionOutput(parsed, summary)
			}
		}
		return map[string]any{
			"extracted_information": "Sandbox data extracted as described: " + truncateText(s, 200),
			"summary":               summary,
		}
	case []any:
		out := map[string]any{}
		names := true
		for _, x := range s {
			name, ok := x.(string)
			if !ok {
				names = false
				break
			}
			out[name] = hintString(name, 0)
		}
		if names && len(out) > 0 {
			return out
		}
		if len(s) > 0 {
			return map[string]any{"items": []any{extractionOutput(s[0], summary)}}
		}
		return map[string]any{"items": []any{}, "summary": summary}
	case map[string]any:
		if looksLikeSchema(s) {
			g := &schemaGen{root: s}
			if v, ok := g.value(s, "", 0, 0); ok {
				return v
			}
			return nil
		}
		return shorthand(s, "")
	case bool:
		return map[string]any{"summary": summary}
	}
	return map[string]any{"summary": summary}
}

var schemaKeywords = []string{"type", "properties", "items", "prefixItems", "enum", "const", "$ref", "$schema", "$defs",
	"definitions", "anyOf", "oneOf", "allOf", "required", "additionalProperties", "format", "pattern", "minimum", "maximum"}

var jsonTypes = []string{"object", "array", "string", "number", "integer", "boolean", "null"}

// looksLikeSchema tells a JSON Schema from a {"field": "description"} map.
func looksLikeSchema(m map[string]any) bool {
	for _, k := range schemaKeywords {
		v, ok := m[k]
		if !ok {
			continue
		}
		if k != "type" {
			return true
		}
		switch t := v.(type) {
		case string:
			if slices.Contains(jsonTypes, t) {
				return true
			}
		case []any:
			return true
		}
	}
	return false
}

// shorthand turns {"price": "number", "items": [{"name": "string"}]} into a
// matching value.
func shorthand(v any, name string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, sub := range x {
			out[k] = shorthand(sub, k)
		}
		return out
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		return []any{shorthand(x[0], singular(name))}
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "number", "float", "double", "decimal":
			return hintNumber(name, false)
		case "integer", "int":
			return hintNumber(name, true)
		case "boolean", "bool":
			return true
		case "array", "list":
			return []any{hintString(singular(name), 0)}
		case "object", "dict":
			return map[string]any{}
		}
		return hintString(name, 0)
	}
	return v
}

// schemaGen generates a value valid against a JSON Schema (drafts 4 to
// 2020-12, local $refs). Patterns are honoured on a best-effort basis.
type schemaGen struct{ root any }

const maxSchemaDepth = 24

// value returns a value for schema s; ok is false when no value is allowed
// (the false schema).
func (g *schemaGen) value(s any, name string, depth, variant int) (any, bool) {
	if depth > maxSchemaDepth {
		return nil, true
	}
	switch b := s.(type) {
	case bool:
		if !b {
			return nil, false
		}
		return hintString(name, variant), true
	case map[string]any:
	default:
		return hintString(name, variant), true
	}
	m := s.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		target := g.resolve(ref)
		rest := without(m, "$ref")
		if t, ok := target.(map[string]any); ok {
			return g.value(merge(rest, t), name, depth+1, variant)
		}
		if len(rest) > 0 {
			return g.value(rest, name, depth+1, variant)
		}
		return hintString(name, variant), true
	}
	if c, ok := m["const"]; ok {
		return c, true
	}
	if e, ok := m["enum"].([]any); ok && len(e) > 0 {
		return e[variant%len(e)], true
	}
	if all, ok := m["allOf"].([]any); ok {
		merged := without(m, "allOf")
		for _, sub := range all {
			if sm, ok := g.deref(sub).(map[string]any); ok {
				merged = merge(merged, sm)
			}
		}
		return g.value(merged, name, depth+1, variant)
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := m[k].([]any); ok && len(alts) > 0 {
			rest := without(m, k)
			pick := alts[0]
			for _, a := range alts {
				if am, ok := g.deref(a).(map[string]any); ok && am["type"] != "null" {
					pick = am
					break
				}
			}
			if pm, ok := g.deref(pick).(map[string]any); ok {
				return g.value(merge(rest, pm), name, depth+1, variant)
			}
			return g.value(rest, name, depth+1, variant)
		}
	}
	switch schemaType(m) {
	case "null":
		return nil, true
	case "object":
		return g.object(m, depth, variant), true
	case "array":
		return g.array(m, name, depth), true
	case "integer":
		return int(numberIn(m, name, true, variant)), true
	case "number":
		return numberIn(m, name, false, variant), true
	case "boolean":
		return true, true
	}
	return stringIn(m, name, variant), true
}

func (g *schemaGen) object(m map[string]any, depth, variant int) map[string]any {
	out := map[string]any{}
	props, _ := m["properties"].(map[string]any)
	for _, k := range sortedKeys(props) {
		if v, ok := g.value(props[k], k, depth+1, variant); ok {
			out[k] = v
		}
	}
	extra := m["additionalProperties"]
	if extra == nil {
		extra = true
	}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			k, ok := r.(string)
			if !ok {
				continue
			}
			if _, done := out[k]; done {
				continue
			}
			if v, ok := g.value(extra, k, depth+1, 0); ok {
				out[k] = v
			}
		}
	}
	if minP, ok := number(m["minProperties"]); ok && extra != false {
		for i := 1; float64(len(out)) < minP && i < 1000; i++ {
			k := fmt.Sprintf("field_%d", i)
			if _, taken := out[k]; taken {
				continue
			}
			if v, ok := g.value(extra, k, depth+1, i); ok {
				out[k] = v
			}
		}
	}
	return out
}

func (g *schemaGen) array(m map[string]any, name string, depth int) []any {
	var prefix []any
	if p, ok := m["prefixItems"].([]any); ok {
		prefix = p
	} else if p, ok := m["items"].([]any); ok { // draft 4-2019 tuples
		prefix = p
	}
	items := m["items"]
	if _, tuple := items.([]any); tuple {
		items = m["additionalItems"]
	}
	if items == nil {
		items = map[string]any{}
	}
	n := 1
	if len(prefix) > n {
		n = len(prefix)
	}
	if minI, ok := number(m["minItems"]); ok && int(minI) > n {
		n = int(minI)
	}
	if maxI, ok := number(m["maxItems"]); ok && int(maxI) < n {
		n = int(maxI)
	}
	out := make([]any, 0, n)
	elem := singular(name)
	for i := 0; i < n; i++ {
		s := items
		if i < len(prefix) {
			s = prefix[i]
		}
		v, ok := g.value(s, elem, depth+1, i)
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

// resolve follows a local JSON pointer ("#", "#/$defs/x").
func (g *schemaGen) resolve(ref string) any {
	if ref == "#" {
		return g.root
	}
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	cur := g.root
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func (g *schemaGen) deref(s any) any {
	for i := 0; i < 8; i++ {
		m, ok := s.(map[string]any)
		if !ok {
			return s
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return s
		}
		t, ok := g.resolve(ref).(map[string]any)
		if !ok {
			return without(m, "$ref")
		}
		s = merge(without(m, "$ref"), t)
	}
	return s
}

// merge combines two schemas: properties and required are united, other
// keywords come from a unless missing there.
func merge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range b {
		out[k] = v
	}
	for k, v := range a {
		out[k] = v
	}
	pa, _ := a["properties"].(map[string]any)
	pb, _ := b["properties"].(map[string]any)
	if pa != nil && pb != nil {
		props := make(map[string]any, len(pa)+len(pb))
		for k, v := range pb {
			props[k] = v
		}
		for k, v := range pa {
			if bv, ok := pb[k].(map[string]any); ok {
				if av, ok := v.(map[string]any); ok {
					v = merge(av, bv)
				}
			}
			props[k] = v
		}
		out["properties"] = props
	}
	ra, _ := a["required"].([]any)
	rb, _ := b["required"].([]any)
	if ra != nil && rb != nil {
		out["required"] = append(append([]any{}, ra...), rb...)
	}
	if ta, ok := a["type"]; ok {
		if tb, ok := b["type"]; ok {
			out["type"] = intersectTypes(ta, tb)
		}
	}
	return out
}

func intersectTypes(a, b any) any {
	la, lb := typeNames(a), typeNames(b)
	for _, t := range la {
		if slices.Contains(lb, t) || (t == "integer" && slices.Contains(lb, "number")) {
			return t
		}
		if t == "number" && slices.Contains(lb, "integer") {
			return "integer"
		}
	}
	return a
}

func typeNames(t any) []string {
	switch x := t.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, v := range x {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// schemaType picks the type to generate: the first non-null declared type,
// else one inferred from the keywords present.
func schemaType(m map[string]any) string {
	names := typeNames(m["type"])
	for _, t := range names {
		if t != "null" {
			return t
		}
	}
	if len(names) > 0 {
		return "null"
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := m[k]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("properties", "required", "additionalProperties", "minProperties", "patternProperties"):
		return "object"
	case has("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"):
		return "array"
	case has("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
		return "number"
	}
	return "string"
}

// numberIn picks a sensible number for the field name within the schema's
// bounds.
func numberIn(m map[string]any, name string, integer bool, variant int) float64 {
	x := hintNumberValue(name, integer) + float64(variant)
	lo, hi := math.Inf(-1), math.Inf(1)
	if v, ok := number(m["minimum"]); ok {
		lo = v
		if b, _ := m["exclusiveMinimum"].(bool); b {
			lo = nextAbove(v, integer)
		}
	}
	if v, ok := number(m["exclusiveMinimum"]); ok {
		lo = math.Max(lo, nextAbove(v, integer))
	}
	if v, ok := number(m["maximum"]); ok {
		hi = v
		if b, _ := m["exclusiveMaximum"].(bool); b {
			hi = nextBelow(v, integer)
		}
	}
	if v, ok := number(m["exclusiveMaximum"]); ok {
		hi = math.Min(hi, nextBelow(v, integer))
	}
	if integer {
		lo, hi = math.Ceil(lo), math.Floor(hi)
	}
	if x < lo {
		x = lo
		if !math.IsInf(hi, 1) && variant > 0 {
			x = math.Min(lo+float64(variant), hi)
		}
	}
	if x > hi {
		x = hi
	}
	if mult, ok := number(m["multipleOf"]); ok && mult > 0 {
		y := math.Ceil(x/mult) * mult
		if y > hi {
			y = math.Floor(hi/mult) * mult
		}
		x = y
	}
	if integer {
		x = math.Round(x)
	}
	return x
}

func nextAbove(v float64, integer bool) float64 {
	if integer {
		return math.Floor(v) + 1
	}
	return v + 0.5
}

func nextBelow(v float64, integer bool) float64 {
	if integer {
		return math.Ceil(v) - 1
	}
	return v - 0.5
}

var formatSamples = map[string]string{
	"date-time":     "2026-01-15T10:30:00Z",
	"date":          "2026-01-15",
	"time":          "10:30:00Z",
	"duration":      "PT1H30M",
	"email":         "sandbox@example.com",
	"idn-email":     "sandbox@example.com",
	"hostname":      "example.com",
	"idn-hostname":  "example.com",
	"ipv4":          "192.0.2.10",
	"ipv6":          "2001:db8::10",
	"uri":           "https://example.com/sandbox",
	"uri-reference": "https://example.com/sandbox",
	"iri":           "https://example.com/sandbox",
	"iri-reference": "https://example.com/sandbox",
	"url":           "https://example.com/sandbox",
	"uuid":          "3f2b8c1e-5d4a-4b6f-9e21-7a0c5d8e9f10",
	"json-pointer":  "/sandbox",
	"regex":         ".*",
}

var patternCandidates = []string{"A1", "a", "A", "1", "123", "123456", "abc", "ABC", "abc123", "ABC123", "US", "USD",
	"2026-01-15", "10:30", "sandbox@example.com", "https://example.com", "+15550100", "555-0100", "94105", "sandbox"}

// stringIn picks a sensible string for the field name that satisfies the
// schema's format, length and (when possible) pattern.
func stringIn(m map[string]any, name string, variant int) string {
	s := hintString(name, variant)
	if f, ok := m["format"].(string); ok {
		if sample, ok := formatSamples[f]; ok {
			s = sample
			if variant > 0 && (f == "email" || f == "idn-email") {
				s = fmt.Sprintf("sandbox%d@example.com", variant+1)
			}
		}
	}
	if p, ok := m["pattern"].(string); ok {
		if re, err := regexp.Compile(p); err == nil && !re.MatchString(s) {
			for _, c := range patternCandidates {
				if re.MatchString(c) {
					s = c
					break
				}
			}
		}
	}
	r := []rune(s)
	if minL, ok := number(m["minLength"]); ok {
		for len(r) < int(minL) {
			r = append(r, 'x')
		}
	}
	if maxL, ok := number(m["maxLength"]); ok && len(r) > int(maxL) {
		r = r[:int(maxL)]
	}
	return string(r)
}

type hint struct {
	words []string
	value string
}

var stringHints = []hint{
	{[]string{"email"}, "sandbox@example.com"},
	{[]string{"url", "link", "href", "website", "uri"}, "https://example.com/sandbox"},
	{[]string{"phone", "mobile", "tel"}, "+1-555-0100"},
	{[]string{"username", "login", "handle"}, "sandbox_user"},
	{[]string{"price", "cost", "amount", "total", "fee"}, "$19.99"},
	{[]string{"currency"}, "USD"},
	{[]string{"date", "day", "deadline"}, "2026-01-15"},
	{[]string{"time"}, "10:30"},
	{[]string{"address", "street"}, "1 Sandbox Way, Example City"},
	{[]string{"city"}, "Example City"},
	{[]string{"country"}, "US"},
	{[]string{"zip", "postal", "postcode"}, "94105"},
	{[]string{"status", "state"}, "completed"},
	{[]string{"title", "headline"}, "Sandbox example title"},
	{[]string{"name"}, "Sandbox Example"},
	{[]string{"description", "summary", "text", "content", "message", "body", "comment", "note", "answer"}, "Sandbox sample text."},
	{[]string{"id", "code", "sku", "number"}, "SBX-1001"},
}

// hintString returns a plausible string for a field name.
func hintString(name string, variant int) string {
	n := strings.ToLower(name)
	s := ""
	for _, h := range stringHints {
		for _, w := range h.words {
			if strings.Contains(n, w) {
				s = h.value
				break
			}
		}
		if s != "" {
			break
		}
	}
	if s == "" {
		if name == "" {
			s = "sandbox value"
		} else {
			s = "sandbox " + strings.ReplaceAll(name, "_", " ")
		}
	}
	if variant > 0 {
		s = fmt.Sprintf("%s %d", s, variant+1)
	}
	return s
}

var numberHints = []struct {
	words []string
	value float64
}{
	{[]string{"price", "cost", "amount", "total", "fee", "balance"}, 19.99},
	{[]string{"rating", "score", "stars"}, 4.5},
	{[]string{"year"}, 2026},
	{[]string{"age"}, 30},
	{[]string{"percent", "ratio"}, 50},
	{[]string{"rank", "position", "index", "page"}, 1},
	{[]string{"count", "quantity", "qty", "num", "number", "items"}, 3},
}

func hintNumberValue(name string, integer bool) float64 {
	n := strings.ToLower(name)
	x := 42.5
outer:
	for _, h := range numberHints {
		for _, w := range h.words {
			if strings.Contains(n, w) {
				x = h.value
				break outer
			}
		}
	}
	if integer {
		x = math.Floor(x)
	}
	return x
}

func hintNumber(name string, integer bool) any {
	x := hintNumberValue(name, integer)
	if integer {
		return int(x)
	}
	return x
}

// singular is a rough English singular, for naming array items.
func singular(name string) string {
	switch {
	case strings.HasSuffix(name, "ies"):
		return strings.TrimSuffix(name, "ies") + "y"
	case strings.HasSuffix(name, "s") && !strings.HasSuffix(name, "ss"):
		return strings.TrimSuffix(name, "s")
	}
	return name
}

func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
