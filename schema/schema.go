// Package schema turns Go structs into JSON Schemas (draft 2020-12) for MCP
// tool inputs and outputs, with github.com/invopop/jsonschema. Schemas are
// generated from types, never written by hand.
//
// Every schema is fully inlined (no $ref, $defs or definitions), objects are
// closed (additionalProperties: false), and "required" lists only fields
// tagged `jsonschema:"required"`. Skyvern's polymorphic types get portable
// shapes: no combinator at the root, and every anyOf branch has a "type":
//
//   - client.ProxyLocation: a preset name (string enum) or a geo object
//   - client.RawJSON: object, array or string in an input (e.g.
//     data_extraction_schema); any JSON value in an output (a run's output can
//     be a number, a boolean or null when the extraction schema asks for one)
//   - client.CredentialData: a password, credit card or secret object
//   - types with EnumValues() []string: a string enum
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// For returns the JSON Schema of T's type as JSON. T must be a struct (the
// root of a tool's input or output is always an object). It fails if the
// schema cannot be generated or encoded.
func For[T any]() (json.RawMessage, error) {
	return Of(reflect.TypeFor[T]())
}

// Of is For with a reflect.Type.
func Of(t reflect.Type) (json.RawMessage, error) { return of(t, false) }

// of generates the full schema of t; output selects the shapes of values
// Skyvern sends (client.RawJSON is then any JSON value).
func of(t reflect.Type, output bool) (json.RawMessage, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("schema: %s is not a struct; a tool schema's root must be an object", t)
	}
	st := &state{inProgress: map[reflect.Type]bool{}, describe: map[*jsonschema.Schema]string{}, output: output}
	s := st.reflector().ReflectFromType(t)
	// invopop sets a field's description from its tag even when the tag is
	// absent, wiping what the Mapper gave: restore those.
	for ms, d := range st.describe {
		if ms.Description == "" {
			ms.Description = d
		}
	}
	s.Version = ""
	s.ID = ""
	s.Type = "object"
	s.AdditionalProperties = jsonschema.FalseSchema
	if s.Properties == nil {
		s.Properties = jsonschema.NewProperties()
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("schema: encoding schema of %s: %w", t, err)
	}
	return b, nil
}

// state is one schema generation. It breaks cycles: a struct that contains
// itself (a timeline entry's children) is inlined once, and its nested
// occurrence becomes a plain object.
type state struct {
	inProgress map[reflect.Type]bool
	// expanding is the struct type whose reflection the Mapper just started:
	// the reflector calls the Mapper again for that same type, which must then
	// fall through to the default reflection.
	expanding reflect.Type
	// describe keeps the descriptions the Mapper gave, by schema.
	describe map[*jsonschema.Schema]string
	// output is set when generating an output schema.
	output bool
}

func (st *state) reflector() *jsonschema.Reflector {
	r := &jsonschema.Reflector{
		DoNotReference:             true,
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: true,
		Anonymous:                  true,
	}
	r.Mapper = func(t reflect.Type) *jsonschema.Schema {
		if s := mapType(t, st.output); s != nil {
			if s.Description != "" {
				st.describe[s] = s.Description
			}
			return s
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		if st.expanding == t {
			st.expanding = nil
			return nil
		}
		if st.inProgress[t] {
			return &jsonschema.Schema{Type: "object", Description: "Nested " + t.Name() + ", with the same fields as its parent."}
		}
		st.inProgress[t] = true
		defer delete(st.inProgress, t)
		st.expanding = t
		return inline(st.reflector(), t)
	}
	return r
}

var (
	rawJSONType     = reflect.TypeFor[client.RawJSON]()
	proxyType       = reflect.TypeFor[client.ProxyLocation]()
	proxyPresetType = reflect.TypeFor[client.ProxyPreset]()
	credentialType  = reflect.TypeFor[client.CredentialData]()
	enumType        = reflect.TypeFor[interface{ EnumValues() []string }]()
)

// ProxyPresetPattern matches Skyvern's proxy preset names (client.ProxyPresets)
// in a few bytes instead of a 28-value enum repeated in every run tool; a
// name that fits the pattern but that Skyvern does not know gets Skyvern's
// own 422, which names the field.
const ProxyPresetPattern = `^(RESIDENTIAL(_[A-Z]{2,3})?|US-[A-Z]{2}|NONE)$`

const (
	anyJSONDescription    = "Any JSON value."
	proxyDescription      = "Proxy preset; default RESIDENTIAL."
	geoDescription        = "{country, subdivision?, city?}"
	credentialDescription = "Secret data, never returned. password: {username, password, totp? (base32), totp_type? (authenticator|email|text|passkey|none), totp_identifier?}; " +
		"credit_card: {card_number, card_cvv, card_exp_month (MM), card_exp_year (YYYY), card_brand, card_holder_name, billing_address?, billing_email?, billing_phone?}; secret: {secret_value, secret_label?}."
)

// mapType gives the schemas of types the reflector cannot infer; output
// selects the shapes of values Skyvern sends. It returns a new *Schema on
// every call: the reflector writes field tags into it.
func mapType(t reflect.Type, output bool) *jsonschema.Schema {
	switch t {
	case rawJSONType:
		if output {
			// Verbatim JSON from Skyvern: a run's output follows the
			// extraction schema, so it can be a number, a boolean or null
			// as well as an object, array or string.
			return &jsonschema.Schema{Description: anyJSONDescription}
		}
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "object"},
			// Items is an object, not the bare `true` an empty schema encodes to:
			// some clients' schema checkers reject a bare boolean there.
			{Type: "array", Items: &jsonschema.Schema{Description: anyJSONDescription}},
			{Type: "string"},
		}}
	case proxyType:
		// The geo branch names its keys in its description rather than as
		// properties: it appears in every run tool, and Skyvern validates it.
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "string", Pattern: ProxyPresetPattern, Description: proxyDescription},
			{Type: "object", Required: []string{"country"}, Description: geoDescription},
		}}
	case proxyPresetType:
		return &jsonschema.Schema{Type: "string", Pattern: ProxyPresetPattern, Description: proxyDescription}
	case credentialType:
		// One object described in words rather than three inlined branches:
		// it saves about 1.5 KB in each credential tool, and
		// client.CredentialData decodes strictly, so a misspelt or missing
		// field is still an error that names it.
		return &jsonschema.Schema{Type: "object", Description: credentialDescription}
	}
	if t.Kind() == reflect.String && t.Implements(enumType) {
		v := reflect.Zero(t).Interface().(interface{ EnumValues() []string })
		return &jsonschema.Schema{Type: "string", Enum: toAny(v.EnumValues())}
	}
	return nil
}

// inline reflects a struct type into an object schema without the
// $schema/$id header.
func inline(r *jsonschema.Reflector, t reflect.Type) *jsonschema.Schema {
	s := r.ReflectFromType(t)
	s.Version = ""
	s.ID = ""
	return s
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// OutputOf returns the compact JSON Schema of a tool's output type: an
// object whose properties give only their JSON types, without descriptions,
// enums, nested properties or array item shapes (beyond their types). An MCP
// client validates structured content against it, and every byte of it is
// sent in each tools/list, so it says what a result holds and no more.
// Objects are left open (no additionalProperties), so a result with a field
// added later still validates. A property with several shapes lists their
// types, and a free-form one (client.RawJSON, any) has no type: it can be
// any JSON value.
//
// The types follow what encoding/json writes for the Go field: a pointer,
// map, slice or interface field without omitempty can be written as null
// (Skyvern sent null, or nothing), so its types include "null"; so do the
// items of an array whose elements are pointers, maps, slices or interfaces.
// Every array has items.
func OutputOf(t reflect.Type) (json.RawMessage, error) {
	full, err := of(t, true)
	if err != nil {
		return nil, err
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(full, &s); err != nil {
		return nil, fmt.Errorf("schema: decoding schema of %s: %w", t, err)
	}
	fields := map[string]reflect.StructField{}
	jsonFields(t, fields)
	var b bytes.Buffer
	b.WriteString(`{"type":"object","properties":{`)
	i := 0
	for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
		if i > 0 {
			b.WriteByte(',')
		}
		i++
		name, _ := json.Marshal(pair.Key)
		b.Write(name)
		b.WriteByte(':')
		f, known := fields[pair.Key]
		types := typesOf(pair.Value)
		if known && len(types) > 0 && writesNull(f) {
			types = append(types, "null")
		}
		writeTypes(&b, types)
		if slices.Contains(types, "array") {
			// Array items are an object schema, never missing: some
			// clients' schema checkers reject an array without items.
			var items *jsonschema.Schema
			if pair.Value != nil {
				items = pair.Value.Items
			}
			itemTypes := typesOf(items)
			if known && len(itemTypes) > 0 && elemNullable(f.Type) {
				itemTypes = append(itemTypes, "null")
			}
			b.Truncate(b.Len() - 1)
			b.WriteString(`,"items":`)
			writeTypes(&b, itemTypes)
			b.WriteByte('}')
		}
	}
	b.WriteByte('}')
	if len(s.Required) > 0 {
		rj, _ := json.Marshal(s.Required)
		b.WriteString(`,"required":`)
		b.Write(rj)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonFields collects the fields of struct type t by the name encoding/json
// writes them under, with the fields of untagged embedded structs promoted.
func jsonFields(t reflect.Type, out map[string]reflect.StructField) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	// A struct's own fields win over those of the structs it embeds, as in
	// encoding/json.
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			embedded = append(embedded, f.Type)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, seen := out[name]; !seen {
			out[name] = f
		}
	}
	for _, e := range embedded {
		jsonFields(e, out)
	}
}

// writesNull reports whether encoding/json can write field f as null: a
// pointer, map, slice or interface without omitempty or omitzero.
func writesNull(f reflect.StructField) bool {
	_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			return false
		}
	}
	return nullableKind(f.Type)
}

// elemNullable reports whether the elements of a slice or array type can be
// written as null.
func elemNullable(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
		return false
	}
	return nullableKind(t.Elem())
}

func nullableKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return true
	}
	return false
}

// writeTypes writes {"type": ...} with the given JSON types, or {} (any
// value) when there are none.
func writeTypes(b *bytes.Buffer, types []string) {
	b.WriteByte('{')
	if len(types) > 0 {
		var tj []byte
		if len(types) == 1 {
			tj, _ = json.Marshal(types[0])
		} else {
			tj, _ = json.Marshal(types)
		}
		b.WriteString(`"type":`)
		b.Write(tj)
	}
	b.WriteByte('}')
}

// typesOf gives a property schema's JSON types: its type, or the types of
// its anyOf branches.
func typesOf(p *jsonschema.Schema) []string {
	if p == nil {
		return nil
	}
	if p.Type != "" {
		return []string{p.Type}
	}
	var out []string
	for _, br := range p.AnyOf {
		if br.Type == "" {
			return nil // a branch of any type: the property can be anything
		}
		if !slices.Contains(out, br.Type) {
			out = append(out, br.Type)
		}
	}
	return out
}
