package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// verr is one entry of FastAPI's 422 body.
type verr = client.ValidationError

// writeValidation answers 422 {"detail":[...]} like FastAPI.
func writeValidation(w http.ResponseWriter, errs []verr) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": errs})
}

// lockIfValid answers 422 with errs and returns false when there are any;
// otherwise it locks s.mu and returns true (the caller unlocks).
func (s *Server) lockIfValid(w http.ResponseWriter, errs []verr) bool {
	if len(errs) > 0 {
		writeValidation(w, errs)
		return false
	}
	s.mu.Lock()
	return true
}

func loc(parts ...any) []any { return append([]any(nil), parts...) }

func with(base []any, more ...any) []any {
	out := make([]any, 0, len(base)+len(more))
	return append(append(out, base...), more...)
}

func missing(l []any, input any) verr {
	return verr{Type: "missing", Loc: l, Msg: "Field required", Input: input}
}

// valueError is pydantic's error for a custom validator.
func valueError(l []any, input any, msg string) verr {
	return verr{Type: "value_error", Loc: l, Msg: "Value error, " + msg, Input: input, Ctx: map[string]any{"error": msg}}
}

// readBody reads a JSON request body. present is false for an empty body.
// A body that is not JSON, or not an object, gives FastAPI's errors.
// readValidBody reads a required JSON object body and validates it against
// fields; on failure it answers 422 (FastAPI's shape) and returns false.
func readValidBody(w http.ResponseWriter, r *http.Request, fields []field) (map[string]any, bool) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, fields, loc("body"))
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return nil, false
	}
	return obj, true
}

func readBody(w http.ResponseWriter, r *http.Request, required bool) (obj map[string]any, present bool, errs []verr) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, false, []verr{{Type: "value_error", Loc: loc("body"), Msg: "Value error, request body too large"}}
		}
		return nil, false, []verr{{Type: "json_invalid", Loc: loc("body", 0), Msg: "JSON decode error", Input: map[string]any{}, Ctx: map[string]any{"error": err.Error()}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if required {
			return nil, false, []verr{missing(loc("body"), nil)}
		}
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = fmt.Errorf("extra data after the JSON value at offset %d", dec.InputOffset())
		}
	}
	if err != nil {
		off := int64(len(data))
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return nil, false, []verr{{Type: "json_invalid", Loc: loc("body", off), Msg: "JSON decode error",
			Input: map[string]any{}, Ctx: map[string]any{"error": jsonErrorText(err)}}}
	}
	if v == nil {
		if required {
			return nil, false, []verr{missing(loc("body"), nil)}
		}
		return nil, false, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false, []verr{{Type: "model_attributes_type", Loc: loc("body"),
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: v}}
	}
	return m, true, nil
}

func jsonErrorText(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "Expecting value: unexpected end of input"
	}
	return err.Error()
}

// remarshal decodes a validated JSON object into a typed value.
func remarshal(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// kind is the JSON type a field accepts.
type kind int

const (
	kString     kind = iota
	kInt             // lax: numeric strings and integral floats are coerced
	kNumber          // lax: numeric strings are coerced
	kBool            // lax: "true", "yes", 1, ... are coerced
	kObject          // any JSON object
	kStringMap       // object of strings
	kStringList      // array of strings
	kList            // any array
	kEnum            // one of enum
	kEnumList        // array of enum values
	kProxy           // proxy preset string or geo object
	kSchemaLike      // object, array or string (data_extraction_schema, output)
	kDateTime        // ISO 8601 date-time string
	kAny             // anything
)

// field describes one property of a request body.
type field struct {
	name     string
	kind     kind
	required bool
	notNull  bool // optional but not nullable (e.g. engine, booleans with defaults)
	enum     []string
	ge, le   *float64
	minLen   int
	pattern  string
}

func opt(name string, k kind) field              { return field{name: name, kind: k} }
func req(name string, k kind) field              { return field{name: name, kind: k, required: true} }
func enumField(name string, vals []string) field { return field{name: name, kind: kEnum, enum: vals} }
func (fd field) nn() field                       { fd.notNull = true; return fd }
func (fd field) min(v float64) field             { fd.ge = &v; return fd }
func (fd field) max(v float64) field             { fd.le = &v; return fd }
func (fd field) minLength(n int) field           { fd.minLen = n; return fd }
func (fd field) must(pat string) field           { fd.pattern = pat; return fd }
func (fd field) mandatory() field                { fd.required = true; return fd }

// validateObject checks obj against fields, coercing lax values in place.
// Unknown properties are ignored, as pydantic does.
func validateObject(obj map[string]any, fields []field, base []any) []verr {
	var errs []verr
	for _, fd := range fields {
		v, ok := obj[fd.name]
		l := with(base, fd.name)
		if !ok {
			if fd.required {
				errs = append(errs, missing(l, obj))
			}
			continue
		}
		if v == nil {
			if fd.required || fd.notNull {
				errs = append(errs, nullError(fd, l))
			}
			continue
		}
		nv, fe := checkValue(fd, v, l)
		errs = append(errs, fe...)
		if len(fe) == 0 {
			obj[fd.name] = nv
		}
	}
	return errs
}

func nullError(fd field, l []any) verr {
	switch fd.kind {
	case kInt:
		return verr{Type: "int_type", Loc: l, Msg: "Input should be a valid integer", Input: nil}
	case kNumber:
		return verr{Type: "float_type", Loc: l, Msg: "Input should be a valid number", Input: nil}
	case kBool:
		return verr{Type: "bool_type", Loc: l, Msg: "Input should be a valid boolean", Input: nil}
	case kEnum:
		return enumError(l, nil, fd.enum)
	case kObject, kStringMap:
		return verr{Type: "dict_type", Loc: l, Msg: "Input should be a valid dictionary", Input: nil}
	case kList, kStringList, kEnumList:
		return verr{Type: "list_type", Loc: l, Msg: "Input should be a valid list", Input: nil}
	}
	return verr{Type: "string_type", Loc: l, Msg: "Input should be a valid string", Input: nil}
}

func enumError(l []any, input any, vals []string) verr {
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = "'" + v + "'"
	}
	expected := strings.Join(quoted, ", ")
	if len(quoted) > 1 {
		expected = strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	}
	return verr{Type: "enum", Loc: l, Msg: "Input should be " + expected, Input: input, Ctx: map[string]any{"expected": expected}}
}

func checkValue(fd field, v any, l []any) (any, []verr) {
	one := func(e verr) (any, []verr) { return nil, []verr{e} }
	switch fd.kind {
	case kString:
		s, ok := v.(string)
		if !ok {
			return one(verr{Type: "string_type", Loc: l, Msg: "Input should be a valid string", Input: v})
		}
		if fd.minLen > 0 && len([]rune(s)) < fd.minLen {
			return one(verr{Type: "string_too_short", Loc: l, Msg: fmt.Sprintf("String should have at least %d character%s", fd.minLen, plural(fd.minLen)),
				Input: v, Ctx: map[string]any{"min_length": fd.minLen}})
		}
		if fd.pattern != "" && !regexp.MustCompile(fd.pattern).MatchString(s) {
			return one(verr{Type: "string_pattern_mismatch", Loc: l, Msg: fmt.Sprintf("String should match pattern '%s'", fd.pattern),
				Input: v, Ctx: map[string]any{"pattern": fd.pattern}})
		}
		return s, nil
	case kInt:
		n, e := toInt(v, l)
		if e != nil {
			return one(*e)
		}
		if e := bounds(fd, float64(n), v, l); e != nil {
			return one(*e)
		}
		return n, nil
	case kNumber:
		x, e := toNumber(v, l)
		if e != nil {
			return one(*e)
		}
		if e := bounds(fd, x, v, l); e != nil {
			return one(*e)
		}
		return x, nil
	case kBool:
		b, e := toBool(v, l)
		if e != nil {
			return one(*e)
		}
		return b, nil
	case kObject:
		if _, ok := v.(map[string]any); !ok {
			return one(verr{Type: "dict_type", Loc: l, Msg: "Input should be a valid dictionary", Input: v})
		}
		return v, nil
	case kStringMap:
		m, ok := v.(map[string]any)
		if !ok {
			return one(verr{Type: "dict_type", Loc: l, Msg: "Input should be a valid dictionary", Input: v})
		}
		var errs []verr
		for _, k := range sortedKeys(m) {
			if _, ok := m[k].(string); !ok {
				errs = append(errs, verr{Type: "string_type", Loc: with(l, k), Msg: "Input should be a valid string", Input: m[k]})
			}
		}
		return v, errs
	case kList, kStringList, kEnumList:
		a, ok := v.([]any)
		if !ok {
			return one(verr{Type: "list_type", Loc: l, Msg: "Input should be a valid list", Input: v})
		}
		var errs []verr
		for i, x := range a {
			switch fd.kind {
			case kStringList:
				if _, ok := x.(string); !ok {
					errs = append(errs, verr{Type: "string_type", Loc: with(l, i), Msg: "Input should be a valid string", Input: x})
				}
			case kEnumList:
				if s, ok := x.(string); !ok || !slices.Contains(fd.enum, s) {
					errs = append(errs, enumError(with(l, i), x, fd.enum))
				}
			}
		}
		return v, errs
	case kEnum:
		s, ok := v.(string)
		if !ok || !slices.Contains(fd.enum, s) {
			return one(enumError(l, v, fd.enum))
		}
		return s, nil
	case kProxy:
		switch x := v.(type) {
		case string:
			if !slices.Contains(client.ProxyPresets(), x) {
				return one(enumError(l, v, client.ProxyPresets()))
			}
		case map[string]any:
		default:
			return one(verr{Type: "model_type", Loc: l, Msg: "Input should be a valid proxy location: a preset name or an object {country, subdivision, city}", Input: v})
		}
		return v, nil
	case kSchemaLike:
		switch v.(type) {
		case string, map[string]any, []any:
			return v, nil
		}
		return one(verr{Type: "dict_type", Loc: l, Msg: "Input should be a valid dictionary, list or string", Input: v})
	case kDateTime:
		s, ok := v.(string)
		if !ok {
			return one(verr{Type: "datetime_type", Loc: l, Msg: "Input should be a valid datetime", Input: v})
		}
		if _, err := parseDateTime(s); err != nil {
			return one(verr{Type: "datetime_from_date_parsing", Loc: l, Msg: "Input should be a valid datetime or date, " + err.Error(), Input: v})
		}
		return s, nil
	}
	return v, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func bounds(fd field, x float64, input any, l []any) *verr {
	if fd.ge != nil && x < *fd.ge {
		return &verr{Type: "greater_than_equal", Loc: l, Msg: "Input should be greater than or equal to " + fmtNum(*fd.ge), Input: input, Ctx: map[string]any{"ge": *fd.ge}}
	}
	if fd.le != nil && x > *fd.le {
		return &verr{Type: "less_than_equal", Loc: l, Msg: "Input should be less than or equal to " + fmtNum(*fd.le), Input: input, Ctx: map[string]any{"le": *fd.le}}
	}
	return nil
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// number returns v as a float64 when it is a JSON (or YAML) number.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

func toInt(v any, l []any) (int, *verr) {
	switch x := v.(type) {
	case bool:
		return 0, &verr{Type: "int_type", Loc: l, Msg: "Input should be a valid integer", Input: v}
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, &verr{Type: "int_parsing", Loc: l, Msg: "Input should be a valid integer, unable to parse string as an integer", Input: v}
		}
		return n, nil
	case json.Number:
		if n, err := strconv.Atoi(string(x)); err == nil {
			return n, nil
		}
	}
	f, ok := number(v)
	if !ok {
		return 0, &verr{Type: "int_type", Loc: l, Msg: "Input should be a valid integer", Input: v}
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, &verr{Type: "int_from_float", Loc: l, Msg: "Input should be a valid integer, got a number with a fractional part", Input: v}
	}
	return int(f), nil
}

func toNumber(v any, l []any) (float64, *verr) {
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return 0, &verr{Type: "float_parsing", Loc: l, Msg: "Input should be a valid number, unable to parse string as a number", Input: v}
		}
		return f, nil
	}
	f, ok := number(v)
	if !ok {
		return 0, &verr{Type: "float_type", Loc: l, Msg: "Input should be a valid number", Input: v}
	}
	return f, nil
}

func toBool(v any, l []any) (bool, *verr) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "yes", "on", "t", "y":
			return true, nil
		case "false", "0", "no", "off", "f", "n":
			return false, nil
		}
		return false, &verr{Type: "bool_parsing", Loc: l, Msg: "Input should be a valid boolean, unable to interpret input", Input: v}
	}
	if f, ok := number(v); ok && (f == 0 || f == 1) {
		return f == 1, nil
	}
	return false, &verr{Type: "bool_type", Loc: l, Msg: "Input should be a valid boolean", Input: v}
}

func parseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("invalid datetime format")
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// ---- query parameters ----

// query validates query parameters, collecting errors.
type query struct {
	q    url.Values
	errs []verr
}

func newQuery(r *http.Request) *query { return &query{q: r.URL.Query()} }

func (q *query) str(name string) string { return q.q.Get(name) }

func (q *query) int(name string, def int, ge float64) int {
	raw, ok := q.q[name]
	if !ok || len(raw) == 0 {
		return def
	}
	l := loc("query", name)
	n, e := toInt(raw[0], l)
	if e != nil {
		q.errs = append(q.errs, *e)
		return def
	}
	if float64(n) < ge {
		q.errs = append(q.errs, verr{Type: "greater_than_equal", Loc: l, Msg: "Input should be greater than or equal to " + fmtNum(ge), Input: raw[0], Ctx: map[string]any{"ge": ge}})
		return def
	}
	return n
}

// optInt returns nil when the parameter is absent.
func (q *query) optInt(name string) *int {
	raw, ok := q.q[name]
	if !ok || len(raw) == 0 {
		return nil
	}
	n, e := toInt(raw[0], loc("query", name))
	if e != nil {
		q.errs = append(q.errs, *e)
		return nil
	}
	return &n
}

func (q *query) bool(name string) bool {
	b := q.optBool(name)
	return b != nil && *b
}

func (q *query) optBool(name string) *bool {
	raw, ok := q.q[name]
	if !ok || len(raw) == 0 {
		return nil
	}
	b, e := toBool(raw[0], loc("query", name))
	if e != nil {
		q.errs = append(q.errs, *e)
		return nil
	}
	return &b
}

func (q *query) enum(name string, vals []string) string {
	v := q.q.Get(name)
	if v != "" && !slices.Contains(vals, v) {
		q.errs = append(q.errs, enumError(loc("query", name), v, vals))
		return ""
	}
	return v
}

func (q *query) enumList(name string, vals []string) []string {
	var out []string
	for i, v := range q.q[name] {
		if !slices.Contains(vals, v) {
			q.errs = append(q.errs, enumError(loc("query", name, i), v, vals))
			continue
		}
		out = append(out, v)
	}
	return out
}

// paginate returns the page of items (page starts at 1).
// newestFirst sorts items by creation time, newest first, then by ID
// (descending) so that the order is stable.
func newestFirst[T any](items []T, key func(T) (time.Time, string)) {
	sort.Slice(items, func(i, j int) bool {
		ti, idi := key(items[i])
		tj, idj := key(items[j])
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return idi > idj
	})
}

func paginate[T any](items []T, page, size int) []T {
	start := (page - 1) * size
	if start >= len(items) || start < 0 {
		return []T{}
	}
	end := start + size
	if end > len(items) {
		end = len(items)
	}
	return items[start:end]
}

// intMax checks an integer query parameter's upper bound (q.int checks the
// lower one).
func (q *query) intMax(name string, n int, le float64) int {
	if float64(n) > le {
		q.errs = append(q.errs, verr{Type: "less_than_equal", Loc: loc("query", name),
			Msg: "Input should be less than or equal to " + fmtNum(le), Input: q.q.Get(name), Ctx: map[string]any{"le": le}})
	}
	return n
}

// strLen checks a string query parameter's length bounds (0: no bound).
func (q *query) strLen(name string, minLen, maxLen int) string {
	v, ok := q.q[name]
	if !ok || len(v) == 0 {
		return ""
	}
	s, n := v[0], utf8.RuneCountInString(v[0])
	l := loc("query", name)
	switch {
	case minLen > 0 && n < minLen:
		q.errs = append(q.errs, verr{Type: "string_too_short", Loc: l, Input: s, Ctx: map[string]any{"min_length": minLen},
			Msg: fmt.Sprintf("String should have at least %d character%s", minLen, plural(minLen))})
	case maxLen > 0 && n > maxLen:
		q.errs = append(q.errs, verr{Type: "string_too_long", Loc: l, Input: s, Ctx: map[string]any{"max_length": maxLen},
			Msg: fmt.Sprintf("String should have at most %d character%s", maxLen, plural(maxLen))})
	}
	return s
}

// dateTime reads an optional date-time query parameter.
func (q *query) dateTime(name string) *time.Time {
	v := q.q.Get(name)
	if v == "" {
		return nil
	}
	t, err := parseDateTime(v)
	if err != nil {
		q.errs = append(q.errs, verr{Type: "datetime_from_date_parsing", Loc: loc("query", name),
			Msg: "Input should be a valid datetime or date, " + err.Error(), Input: v})
		return nil
	}
	return &t
}
