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
//   - client.RawJSON: object, array or string (e.g. data_extraction_schema)
//   - client.CredentialData: a password, credit card or secret object
//   - types with EnumValues() []string: a string enum
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

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
func Of(t reflect.Type) (json.RawMessage, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("schema: %s is not a struct; a tool schema's root must be an object", t)
	}
	st := &state{inProgress: map[reflect.Type]bool{}, describe: map[*jsonschema.Schema]string{}}
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
}

func (st *state) reflector() *jsonschema.Reflector {
	r := &jsonschema.Reflector{
		DoNotReference:             true,
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: true,
		Anonymous:                  true,
	}
	r.Mapper = func(t reflect.Type) *jsonschema.Schema {
		if s := mapType(r, t); s != nil {
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
	proxyDescription      = "Proxy preset; default RESIDENTIAL."
	geoDescription        = "{country, subdivision?, city?}"
	credentialDescription = "Secret data, never returned. password: {username, password, totp? (base32), totp_type? (authenticator|email|text|passkey|none), totp_identifier?}; " +
		"credit_card: {card_number, card_cvv, card_exp_month (MM), card_exp_year (YYYY), card_brand, card_holder_name, billing_address?, billing_email?, billing_phone?}; secret: {secret_value, secret_label?}."
)

// mapType gives the schemas of types the reflector cannot infer. It returns
// a new *Schema on every call: the reflector writes field tags into it.
func mapType(r *jsonschema.Reflector, t reflect.Type) *jsonschema.Schema {
	switch t {
	case rawJSONType:
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "object"},
			// Items is an object, not the bare `true` an empty schema encodes to:
			// some clients' schema checkers reject a bare boolean there.
			{Type: "array", Items: &jsonschema.Schema{Description: "Any JSON value."}},
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
// enums, nested properties or array item shapes. An MCP client validates
// structured content against it, and every byte of it is sent in each
// tools/list, so it says what a result holds and no more. Objects are left
// open (no additionalProperties), so a result with a field added later still
// validates. A property with several shapes (client.RawJSON) lists their
// types.
func OutputOf(t reflect.Type) (json.RawMessage, error) {
	full, err := Of(t)
	if err != nil {
		return nil, err
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(full, &s); err != nil {
		return nil, fmt.Errorf("schema: decoding schema of %s: %w", t, err)
	}
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
		writeTypeOnly(&b, pair.Value)
		if pair.Value != nil && pair.Value.Type == "array" {
			// Array items are an object schema, never missing: some
			// clients' schema checkers reject an array without items.
			b.Truncate(b.Len() - 1)
			b.WriteString(`,"items":`)
			writeTypeOnly(&b, pair.Value.Items)
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

// writeTypeOnly writes {"type": ...} with the JSON types of p, or {} when
// p can be any value.
func writeTypeOnly(b *bytes.Buffer, p *jsonschema.Schema) {
	b.WriteByte('{')
	if types := typesOf(p); len(types) > 0 {
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
