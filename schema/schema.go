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
	"encoding/json"
	"fmt"
	"reflect"

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
	st := &state{inProgress: map[reflect.Type]bool{}}
	s := st.reflector().ReflectFromType(t)
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
	rawJSONType    = reflect.TypeFor[client.RawJSON]()
	proxyType      = reflect.TypeFor[client.ProxyLocation]()
	credentialType = reflect.TypeFor[client.CredentialData]()
	enumType       = reflect.TypeFor[interface{ EnumValues() []string }]()
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
		geo := inline(r, reflect.TypeFor[client.GeoTarget]())
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "string", Enum: toAny(client.ProxyPresets())},
			geo,
		}}
	case credentialType:
		return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			inline(r, reflect.TypeFor[client.PasswordCredential]()),
			inline(r, reflect.TypeFor[client.CreditCardCredential]()),
			inline(r, reflect.TypeFor[client.SecretCredential]()),
		}}
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
