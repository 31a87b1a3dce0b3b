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
