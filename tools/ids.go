package tools

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// idFields are the top-level arguments of a tool that hold Skyvern IDs
// (or a tag key) and so may end up as URL path segments. They are checked
// with client.CheckID (client.CheckName for a tag key) before anything
// else, so that "", ".", ".." or "a/../b" never reach Skyvern, whatever
// the tool.
type idFields struct {
	ids, lists, names []string
	required          map[string]bool
}

// externalID reports arguments named *_id that are not Skyvern IDs
// (password managers' own IDs, sent in a body).
func externalID(name string) bool {
	return strings.HasPrefix(name, "bitwarden_") || strings.HasPrefix(name, "onepassword_") || strings.HasPrefix(name, "azure_")
}

// idFieldsOf reads them from a tool's input schema.
func idFieldsOf(schema json.RawMessage) idFields {
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	f := idFields{required: map[string]bool{}}
	if json.Unmarshal(schema, &s) != nil {
		return f
	}
	for _, r := range s.Required {
		f.required[r] = true
	}
	for name, p := range s.Properties {
		typ, _ := p.Type.(string)
		switch {
		case externalID(name):
		case strings.HasSuffix(name, "_id") && typ == "string":
			f.ids = append(f.ids, name)
		case strings.HasSuffix(name, "_ids") && typ == "array":
			f.lists = append(f.lists, name)
		case name == "key" && typ == "string":
			f.names = append(f.names, name)
		}
	}
	sort.Strings(f.ids)
	sort.Strings(f.lists)
	return f
}

// check returns the first bad ID among the arguments, naming its field.
// An optional field may be an empty string (taken as absent); a value that
// is not a string is left to the schema validation.
func (f idFields) check(raw []byte) error {
	if len(f.ids)+len(f.lists)+len(f.names) == 0 {
		return nil
	}
	var args map[string]json.RawMessage
	if json.Unmarshal(raw, &args) != nil {
		return nil
	}
	str := func(name string) (string, bool) {
		var v string
		b, ok := args[name]
		// null is "not given" (validation then refuses it where required).
		if !ok || string(b) == "null" || json.Unmarshal(b, &v) != nil {
			return "", false
		}
		return v, true
	}
	for _, name := range f.ids {
		if v, ok := str(name); ok && (v != "" || f.required[name]) {
			if err := client.CheckID(name, v); err != nil {
				return err
			}
		}
	}
	for _, name := range f.names {
		if v, ok := str(name); ok && (v != "" || f.required[name]) {
			if err := client.CheckName(name, v); err != nil {
				return err
			}
		}
	}
	for _, name := range f.lists {
		var list []string
		if b, ok := args[name]; ok && json.Unmarshal(b, &list) == nil {
			for i, v := range list {
				if err := client.CheckID(name+"["+itoa(i)+"]", v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
