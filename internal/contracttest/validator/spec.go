package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/responses"
	"github.com/pb33f/libopenapi-validator/router"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// spec is a loaded, validated OpenAPI document.
type spec struct {
	path      string
	model     *v3.Document
	validator validator.Validator
	responses responses.ResponseBodyValidator
	router    router.Router
	// hidden are the operations added by addHidden, left out of operations.
	hidden map[string]bool
}

// load parses raw (the document at path), adds the hidden routes, builds the
// v3 model and the validator, and validates the document itself.
func load(path string, raw []byte, hidden []hiddenRoute) (*spec, error) {
	var hiddenOps map[string]bool
	if len(hidden) > 0 {
		var err error
		if raw, hiddenOps, err = addHidden(raw, hidden); err != nil {
			return nil, fmt.Errorf("add hidden routes: %w", err)
		}
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	built, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build v3 model: %w", err)
	}
	v := validator.NewValidatorFromV3Model(&built.Model)
	v.SetDocument(doc)
	if ok, errs := v.ValidateDocument(); !ok {
		msgs := make([]string, 0, len(errs))
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		return nil, fmt.Errorf("document is not valid OpenAPI:\n%s", strings.Join(msgs, "\n"))
	}
	return &spec{
		path:      path,
		model:     &built.Model,
		validator: v,
		responses: responses.NewResponseBodyValidator(&built.Model),
		// Path-only matching, like the validator's own default: the
		// document's servers (api.skyvern.com, localhost:8000, ...) never
		// match a test server's host, and none of them has a base path.
		router: router.NewRouter(&built.Model, router.WithPathOnlyMatching()),
		hidden: hiddenOps,
	}, nil
}

// addHidden returns the document raw with the hidden routes added to its
// paths, and their operation keys. A route the document already has is left
// as the document says.
func addHidden(raw []byte, hidden []hiddenRoute) ([]byte, map[string]bool, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, err
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("document has no paths object")
	}
	added := map[string]bool{}
	for _, h := range hidden {
		item, _ := paths[h.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[h.Path] = item
		}
		method := strings.ToLower(h.Method)
		if _, exists := item[method]; exists {
			continue
		}
		item[method] = h.Operation
		added[opKey(method, h.Path)] = true
	}
	out, err := json.Marshal(doc)
	return out, added, err
}

// operations lists every operation in the document as "METHOD /path/template",
// sorted, leaving out the hidden routes.
func (s *spec) operations() []string {
	var ops []string
	for path, item := range s.model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().KeysFromOldest() {
			if k := opKey(method, path); !s.hidden[k] {
				ops = append(ops, k)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

// sdkMethodNames maps each operation that declares an
// x-fern-sdk-method-name (the name the official SDKs give it) to that name.
func (s *spec) sdkMethodNames() map[string]string {
	out := map[string]string{}
	for path, item := range s.model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			if op == nil || op.Extensions == nil || s.hidden[opKey(method, path)] {
				continue
			}
			if n := op.Extensions.GetOrZero("x-fern-sdk-method-name"); n != nil && n.Value != "" {
				out[opKey(method, path)] = n.Value
			}
		}
	}
	return out
}

// enum returns the enum values of components.schemas[name] in the
// document's order, or nil if there is no such schema or it has no enum.
func (s *spec) enum(name string) []string {
	proxy := s.schema(name)
	if proxy == nil {
		return nil
	}
	schema := proxy.Schema()
	if schema == nil {
		return nil
	}
	var out []string
	for _, n := range schema.Enum {
		if n != nil {
			out = append(out, n.Value)
		}
	}
	return out
}

func (s *spec) schema(name string) *base.SchemaProxy {
	if s.model.Components == nil || s.model.Components.Schemas == nil {
		return nil
	}
	return s.model.Components.Schemas.GetOrZero(name)
}

// properties returns the object properties of components.schemas[name],
// sorted, following $ref, allOf (merged) and anyOf/oneOf wrappers that add
// only null.
func (s *spec) properties(name string) ([]string, error) {
	proxy := s.schema(name)
	if proxy == nil {
		return nil, fmt.Errorf("no such schema in %s", s.path)
	}
	props := map[string]bool{}
	if err := collectProperties(proxy, props, 0); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(props))
	for p := range props {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// collectProperties adds the object properties of the schema behind proxy
// to props.
func collectProperties(proxy *base.SchemaProxy, props map[string]bool, depth int) error {
	if depth > 32 {
		return fmt.Errorf("schema nesting too deep (circular?)")
	}
	sch := proxy.Schema()
	if sch == nil {
		return fmt.Errorf("cannot build schema %s: %v", proxy.GetReference(), proxy.GetBuildError())
	}
	found := false
	if sch.Properties != nil {
		found = true
		for name := range sch.Properties.KeysFromOldest() {
			props[name] = true
		}
	}
	for _, sub := range sch.AllOf {
		if err := collectProperties(sub, props, depth+1); err != nil {
			return err
		}
		found = true
	}
	for _, alternatives := range [][]*base.SchemaProxy{sch.AnyOf, sch.OneOf} {
		var nonNull []*base.SchemaProxy
		for _, alt := range alternatives {
			if a := alt.Schema(); a == nil || len(a.Type) != 1 || a.Type[0] != "null" {
				nonNull = append(nonNull, alt)
			}
		}
		switch len(nonNull) {
		case 0:
		case 1:
			if err := collectProperties(nonNull[0], props, depth+1); err != nil {
				return err
			}
			found = true
		default:
			return fmt.Errorf("schema is a union of %d non-null alternatives; name one of them instead", len(nonNull))
		}
	}
	if !found {
		return fmt.Errorf("schema has no properties (type %v); is it an object schema?", sch.Type)
	}
	return nil
}

func opKey(method, path string) string { return strings.ToUpper(method) + " " + path }
