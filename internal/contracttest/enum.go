package contracttest

// Enum returns the enum values of components.schemas[schemaName] in the
// document's order, or nil if there is no such schema or it has no enum.
func (s *Spec) Enum(schemaName string) []string {
	if s.model.Components == nil || s.model.Components.Schemas == nil {
		return nil
	}
	proxy := s.model.Components.Schemas.GetOrZero(schemaName)
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

// SDKMethodNames maps each operation of the document ("METHOD /path") that
// declares an x-fern-sdk-method-name (the name the official SDKs give it) to
// that name.
func (s *Spec) SDKMethodNames() map[string]string {
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
