package contracttest

import "maps"

// Enum returns the enum values of components.schemas[schemaName] in the
// document's order, or nil if there is no such schema, it has no enum, or
// the contract-validator process failed (a test asserting values then fails).
func (s *Spec) Enum(schemaName string) []string {
	resp, err := s.v.call(&validatorRequest{Op: "enum", Spec: s.id, Schema: schemaName})
	if err != nil {
		return nil
	}
	return resp.Values
}

// SDKMethodNames maps each operation of the document ("METHOD /path") that
// declares an x-fern-sdk-method-name (the name the official SDKs give it) to
// that name.
func (s *Spec) SDKMethodNames() map[string]string {
	out := maps.Clone(s.sdkMethodNames)
	if out == nil {
		out = map[string]string{}
	}
	return out
}
