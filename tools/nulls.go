package tools

import (
	"fmt"
	"sort"
	"strings"
)

// Null arguments. Many models and clients send JSON null for an optional
// argument they mean to leave out ("max_steps": null). A null for a property
// the input schema declares and does not require is dropped before the
// arguments are validated and decoded, at every level where the schema
// declares the object's properties (the arguments object, nested objects
// such as run_sdk_action's action, and the items of arrays of such objects,
// such as create_script's files). Free-form values (a workflow's parameters,
// a JSON definition, data_extraction_schema's content) are passed on as
// given: there null can be a value. A null for a required property is an
// error that names it.

// dropNulls removes from inst, in place, the null members that schema
// declares as optional properties, recursively. It reports whether it
// removed any, and an error naming every required property given as null
// (path is the dotted path of inst, "" for the arguments object).
func dropNulls(schema map[string]any, inst map[string]any, path string) (changed bool, err error) {
	props, _ := schema["properties"].(map[string]any)
	if props == nil {
		return false, nil
	}
	required := map[string]bool{}
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	var nullRequired []string
	for name, val := range inst {
		ps, declared := props[name].(map[string]any)
		if !declared {
			continue // an unknown property: the validator names it
		}
		field := name
		if path != "" {
			field = path + "." + name
		}
		switch v := val.(type) {
		case nil:
			if required[name] {
				nullRequired = append(nullRequired, field)
				continue
			}
			delete(inst, name)
			changed = true
		case map[string]any:
			c, e := dropNulls(ps, v, field)
			changed = changed || c
			if e != nil {
				nullRequired = append(nullRequired, e.(nullRequiredError)...)
			}
		case []any:
			items, _ := ps["items"].(map[string]any)
			if items == nil {
				continue
			}
			for i, el := range v {
				if m, ok := el.(map[string]any); ok {
					c, e := dropNulls(items, m, fmt.Sprintf("%s[%d]", field, i))
					changed = changed || c
					if e != nil {
						nullRequired = append(nullRequired, e.(nullRequiredError)...)
					}
				}
			}
		}
	}
	if len(nullRequired) > 0 {
		return changed, nullRequiredError(nullRequired)
	}
	return changed, nil
}

// nullRequiredError lists required properties given as null.
type nullRequiredError []string

func (e nullRequiredError) Error() string {
	fields := append([]string(nil), e...)
	sort.Strings(fields)
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = f + ": required, got null; give a value"
	}
	return strings.Join(msgs, "; ")
}
