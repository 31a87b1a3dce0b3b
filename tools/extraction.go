package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// checkExtractionForm checks a data_extraction_schema before a run starts,
// so that a malformed one is an error naming the field rather than a billed
// run that fails or extracts nonsense. Skyvern takes it in three forms:
//
//   - a JSON Schema object: it must be a valid JSON Schema, checked against
//     the 2020-12 meta-schema, or the draft-07 or draft-04 one (the drafts
//     LLMs and older tools write) when it does not name its own $schema.
//     Unknown keywords are allowed, so the {"field": "type"} shorthand
//     passes; a misspelt type ({"type": "objekt"}) does not. $refs may only
//     point inside the schema: nothing is loaded.
//   - a list: field names (strings) or schema objects, each checked as above.
//   - a string: a plain-text description, passed on as given; but a string
//     that starts with { or [ is JSON text and must parse, and is then
//     checked as above.
//
// v is the argument's JSON; null or absent passes.
func checkExtractionForm(v json.RawMessage) error {
	if len(bytes.TrimSpace(v)) == 0 {
		return nil
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(v))
	if err != nil {
		return nil // malformed arguments are reported by the validator
	}
	if s, ok := doc.(string); ok {
		t := strings.TrimSpace(s)
		if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
			return nil // a plain-text description
		}
		parsed, err := jsonschema.UnmarshalJSON(strings.NewReader(t))
		if err != nil {
			return fmt.Errorf("%s is a string that starts with %q but is not valid JSON (%v); give the schema as a JSON object, as valid JSON text, or describe the data in plain words",
				extractionSchemaField, t[:1], jsonSyntaxText(err))
		}
		doc = parsed
	}
	switch d := doc.(type) {
	case map[string]any:
		return checkJSONSchema(extractionSchemaField, d)
	case []any:
		for i, el := range d {
			field := fmt.Sprintf("%s[%d]", extractionSchemaField, i)
			switch e := el.(type) {
			case string:
			case map[string]any:
				if err := checkJSONSchema(field, e); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%s is %s; a list in %s holds field names (strings) or JSON Schema objects", field, valueKind(e), extractionSchemaField)
			}
		}
		return nil
	case nil:
		return nil
	}
	return fmt.Errorf("%s is %s; give a JSON Schema object, a list of field names, or a plain-text description", extractionSchemaField, valueKind(doc))
}

// valueKind names the JSON type of a value decoded with json.Number.
func valueKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

// jsonSyntaxText is a JSON decoding error without the library's prefix.
func jsonSyntaxText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "it ends before the JSON is complete"
	}
	return err.Error()
}

// checkJSONSchema compiles doc, which validates it against its draft's
// meta-schema.
func checkJSONSchema(field string, doc map[string]any) error {
	_, hasDraft := doc["$schema"]
	drafts := []*jsonschema.Draft{jsonschema.Draft2020}
	if !hasDraft {
		drafts = append(drafts, jsonschema.Draft7, jsonschema.Draft4)
	}
	var first error
	for _, d := range drafts {
		err := compileUserSchema(doc, d)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return fmt.Errorf("%s is not a valid JSON Schema: %s. Fix it, or describe the data in plain words", field, describeSchemaError(first))
}

func compileUserSchema(doc map[string]any, d *jsonschema.Draft) error {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(d)
	c.UseLoader(noLoader{})
	// Only the schema's structure is checked, never an instance: any
	// pattern compiles (Skyvern's LLM reads ECMA-262 patterns that Go's
	// regexp package cannot parse).
	c.UseRegexpEngine(func(s string) (jsonschema.Regexp, error) { return anyRegexp(s), nil })
	const url = "mem:///data_extraction_schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return err
	}
	_, err := c.Compile(url)
	return err
}

// describeSchemaError is a compile error as text: each failing keyword with
// its location in the schema for a meta-schema violation.
func describeSchemaError(err error) string {
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			return withoutTypeNoise(describeValidation(ve))
		}
		return sve.Err.Error()
	}
	var le *jsonschema.LoadURLError
	if errors.As(err, &le) {
		return "it refers to " + le.URL + ", which is not loaded: keep every $ref inside the schema"
	}
	return strings.ReplaceAll(err.Error(), "mem:///data_extraction_schema.json", "the schema")
}

// withoutTypeNoise drops, from describeValidation's lines, a "got X, want
// Y" line for a location that also has a "value must be one of" line: the
// meta-schema allows "type" as a name or a list of names, and the list
// branch's complaint only hides the useful one.
func withoutTypeNoise(msg string) string {
	lines := strings.Split(msg, "; ")
	enumAt := map[string]bool{}
	for _, l := range lines {
		if at, rest, ok := strings.Cut(l, ": "); ok && strings.HasPrefix(rest, "value must be one of") {
			enumAt[at] = true
		}
	}
	kept := lines[:0]
	for _, l := range lines {
		if at, rest, ok := strings.Cut(l, ": "); ok && enumAt[at] && strings.HasPrefix(rest, "got ") {
			continue
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, "; ")
}

// noLoader refuses every URL: a user's schema never makes the server read
// a file or fetch a URL.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%s is not loaded", url)
}

// anyRegexp is a pattern kept as text; it is never matched.
type anyRegexp string

func (r anyRegexp) String() string          { return string(r) }
func (r anyRegexp) MatchString(string) bool { return true }
