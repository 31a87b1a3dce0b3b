package tools

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Input limits. Every tool handler checks them before it validates the
// arguments and before any request to Skyvern; a call over a limit gets an
// isError result that names the field and the limit.
const (
	// MaxArgumentBytes is the largest arguments object of one tool call, as
	// the JSON the client sent: 4 MiB. A 1 MiB prompt fits with room to
	// spare. upload_file has its own limit, MaxUploadArgumentBytes.
	MaxArgumentBytes = 4 << 20
	// MaxArgumentDepth is the deepest nesting of JSON objects and arrays in
	// a call's arguments, counting the arguments object itself as level 1:
	// 64 levels.
	MaxArgumentDepth = 64
	// MaxExtractionSchemaBytes is the largest data_extraction_schema, as
	// compact JSON (a plain-text description counts with its quotes and
	// escapes): 256 KiB.
	MaxExtractionSchemaBytes = 256 << 10
)

// MaxUploadArgumentBytes is upload_file's arguments limit: a file of
// MaxUploadBytes in base64, plus 64 KiB for the other fields.
var MaxUploadArgumentBytes = base64.StdEncoding.EncodedLen(MaxUploadBytes) + 64<<10

// extractionSchemaField is the argument MaxExtractionSchemaBytes applies to.
const extractionSchemaField = "data_extraction_schema"

// argLimits are the limits one tool enforces.
type argLimits struct {
	maxBytes int
	// extractionSchema is set when the tool takes data_extraction_schema.
	extractionSchema bool
}

func limitsFor(s spec, in reflect.Type) argLimits {
	l := argLimits{maxBytes: MaxArgumentBytes, extractionSchema: hasJSONField(in, extractionSchemaField)}
	if s.maxArgBytes > 0 {
		l.maxBytes = s.maxArgBytes
	}
	return l
}

// hasJSONField reports whether struct type t (or a struct it embeds) has a
// field encoded under name.
func hasJSONField(t reflect.Type, name string) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" {
			if hasJSONField(f.Type, name) {
				return true
			}
			continue
		}
		if tag == name || (tag == "" && f.Name == name) {
			return true
		}
	}
	return false
}

// check enforces the size and depth limits on the raw arguments, in one pass
// over the bytes that decodes nothing. Malformed JSON is left to the
// validator.
func (l argLimits) check(raw []byte) error {
	if len(raw) > l.maxBytes {
		msg := fmt.Sprintf("arguments are %d bytes of JSON; the limit is %s per call", len(raw), limitText(l.maxBytes))
		if sc := scanJSON(raw, int(^uint(0)>>1)); sc.largestKey != "" {
			msg += fmt.Sprintf(" (the largest field, %s, is %d bytes)", sc.largestKey, sc.largestSize)
		}
		return fmt.Errorf("%s. Shorten it, or split the work into several calls", msg)
	}
	if sc := scanJSON(raw, MaxArgumentDepth); sc.depth > MaxArgumentDepth {
		where := ""
		if sc.deepKey != "" {
			where = " in " + sc.deepKey
		}
		return fmt.Errorf("arguments are nested more than %d levels deep%s (objects and arrays, counting the arguments object); the limit is %d levels",
			MaxArgumentDepth, where, MaxArgumentDepth)
	}
	return nil
}

// checkExtractionSchema enforces MaxExtractionSchemaBytes on valid, already
// validated arguments, then checks the schema's form (checkExtractionForm).
func (l argLimits) checkExtractionSchema(raw []byte) error {
	if !l.extractionSchema {
		return nil
	}
	var in struct {
		Schema json.RawMessage `json:"data_extraction_schema"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil // decoding errors are reported by the typed decode
	}
	if len(in.Schema) > MaxExtractionSchemaBytes {
		var buf bytes.Buffer
		if err := json.Compact(&buf, in.Schema); err == nil && buf.Len() > MaxExtractionSchemaBytes {
			return fmt.Errorf("%s is %d bytes as compact JSON; the limit is %s. Describe only the fields to extract",
				extractionSchemaField, buf.Len(), limitText(MaxExtractionSchemaBytes))
		}
	}
	return checkExtractionForm(in.Schema)
}

// limitText is n bytes with its size in KiB or MiB, e.g. "4194304 bytes (4 MiB)".
func limitText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d bytes (%d MiB)", n, n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d bytes (%d KiB)", n, n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// scan is what one pass over raw JSON found.
type scan struct {
	// depth is the deepest nesting seen, at most limit+1 (the scan stops
	// there); deepKey is the top-level key under which it happened.
	depth   int
	deepKey string
	// largestKey is the top-level key with the largest value, of
	// largestSize bytes.
	largestKey  string
	largestSize int
}

// scanJSON walks raw JSON bytes without decoding them, tracking the nesting
// depth of objects and arrays outside strings and, for a top-level object,
// each member's key and value size. It stops when the depth exceeds limit.
// It never fails: on malformed input the results are approximate, and the
// validator reports the error.
func scanJSON(raw []byte, limit int) scan {
	var sc scan
	depth := 0
	inString, escaped := false, false
	// Inside the top-level object: whether the next string is a key, the
	// current key, and where its value started.
	expectKey := false
	keyStart := -1
	var key []byte
	valueStart := -1
	endMember := func(end int) {
		if key != nil && valueStart >= 0 && end-valueStart > sc.largestSize {
			sc.largestKey, sc.largestSize = unquote(key), end-valueStart
		}
		key, valueStart = nil, -1
	}
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
				if keyStart >= 0 {
					key, keyStart = raw[keyStart:i+1], -1
				}
			}
			continue
		}
		switch b {
		case '"':
			inString = true
			if depth == 1 && expectKey {
				keyStart, expectKey = i, false
			}
		case '{', '[':
			depth++
			if depth == 1 {
				expectKey = b == '{'
			}
			if depth > sc.depth {
				sc.depth = depth
			}
			if depth > limit {
				if key != nil {
					sc.deepKey = unquote(key)
				}
				return sc
			}
		case '}', ']':
			if depth == 1 {
				endMember(i)
			}
			depth--
		case ':':
			if depth == 1 {
				valueStart = i + 1
			}
		case ',':
			if depth == 1 {
				endMember(i)
				expectKey = true
			}
		}
	}
	return sc
}

// unquote decodes a JSON string, or returns "" when it is not one.
func unquote(q []byte) string {
	var s string
	if json.Unmarshal(q, &s) != nil {
		return ""
	}
	return s
}
