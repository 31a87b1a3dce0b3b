package contracttest

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// StructOption configures [Spec.CheckStruct].
type StructOption func(*structOptions)

type structOptions struct {
	specOnly map[string]string // spec property -> reason it has no Go field
	goOnly   map[string]string // Go JSON name -> reason it is not in the spec
}

// IgnoreSpecProperty declares that the spec property name deliberately has no
// field in the Go type, for the given (non-empty) reason.
func IgnoreSpecProperty(name, reason string) StructOption {
	return func(o *structOptions) { o.specOnly[name] = reason }
}

// IgnoreGoField declares that the Go field serialised as jsonName is
// deliberately absent from the spec, for the given (non-empty) reason.
func IgnoreGoField(jsonName, reason string) StructOption {
	return func(o *structOptions) { o.goOnly[jsonName] = reason }
}

// CheckStruct compares the JSON field names of goType (a struct or pointer
// to struct; `json` tags are honoured, embedded structs flattened and
// `json:"-"` fields skipped, as encoding/json does) with the properties of
// components.schemas[schemaName]. It reports through tb.Errorf every spec
// property without a Go field and every Go field without a spec property,
// unless ignored with [IgnoreSpecProperty] or [IgnoreGoField]; an ignore
// without a reason, or one that matches nothing, is also reported.
//
// The schema is followed through $ref, allOf (properties are merged) and
// anyOf/oneOf wrappers that add only null, down to its object properties.
//
// This catches renamed or missing optional fields, which body validation
// cannot: the spec does not set additionalProperties: false, so an unknown
// JSON key is valid and a missing optional key is too.
func (s *Spec) CheckStruct(tb Reporter, goType reflect.Type, schemaName string, opts ...StructOption) {
	tb.Helper()
	o := &structOptions{specOnly: map[string]string{}, goOnly: map[string]string{}}
	for _, opt := range opts {
		opt(o)
	}
	for goType != nil && goType.Kind() == reflect.Pointer {
		goType = goType.Elem()
	}
	if goType == nil || goType.Kind() != reflect.Struct {
		tb.Errorf("contract: CheckStruct(%v, %q): not a struct type", goType, schemaName)
		return
	}
	where := fmt.Sprintf("Go type %v vs components.schemas[%q]", goType, schemaName)

	resp, err := s.v.call(&validatorRequest{Op: "properties", Spec: s.id, Schema: schemaName})
	if err != nil {
		tb.Errorf("contract: %s: %v", where, err)
		return
	}
	props := map[string]bool{}
	for _, p := range resp.Values {
		props[p] = true
	}
	fields := map[string]string{} // JSON name -> Go field path
	collectFields(goType, "", fields, map[reflect.Type]bool{})

	for _, name := range sortedKeys(props) {
		if _, ok := fields[name]; ok {
			continue
		}
		if _, ok := o.specOnly[name]; ok {
			continue
		}
		tb.Errorf("contract: %s: spec property %q has no Go field (add a field tagged `json:%q` or IgnoreSpecProperty)",
			where, name, name)
	}
	for _, name := range sortedKeys(fields) {
		if props[name] {
			continue
		}
		if _, ok := o.goOnly[name]; ok {
			continue
		}
		tb.Errorf("contract: %s: Go field %s (JSON %q) is not a spec property (renamed? or IgnoreGoField)",
			where, fields[name], name)
	}

	for _, name := range sortedKeys(o.specOnly) {
		_, inGo := fields[name]
		switch {
		case o.specOnly[name] == "":
			tb.Errorf("contract: %s: IgnoreSpecProperty(%q) needs a reason", where, name)
		case !props[name] || inGo:
			tb.Errorf("contract: %s: IgnoreSpecProperty(%q) is stale: it is not a spec-only property", where, name)
		}
	}
	for _, name := range sortedKeys(o.goOnly) {
		_, inGo := fields[name]
		switch {
		case o.goOnly[name] == "":
			tb.Errorf("contract: %s: IgnoreGoField(%q) needs a reason", where, name)
		case !inGo || props[name]:
			tb.Errorf("contract: %s: IgnoreGoField(%q) is stale: it is not a Go-only field", where, name)
		}
	}
}

// collectFields records the JSON names encoding/json would use for the
// fields of struct type t, mapped to their Go field paths.
func collectFields(t reflect.Type, prefix string, out map[string]string, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	defer delete(visiting, t)
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			collectFields(ft, prefix+f.Name+".", out, visiting)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		// On a name clash keep the shallowest field, which is the one
		// encoding/json uses.
		path := prefix + f.Name
		if prev, dup := out[name]; !dup || strings.Count(path, ".") < strings.Count(prev, ".") {
			out[name] = path
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
