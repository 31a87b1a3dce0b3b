package tools

import (
	"bytes"
	"embed"
	"encoding/json"
)

// The tools' JSON Schemas are generated from their Go input and output types
// by package schema, at build time, into schemas/<tool>.in.json and
// schemas/<tool>.out.json (compact, exactly as reflection produces them), and
// embedded: start-up costs no reflection. TestEmbeddedSchemas fails when they
// differ from what reflection produces now; regenerate with:
//
//go:generate env UPDATE_SCHEMAS=true go test -run ^TestEmbeddedSchemas$ -count=1 .

//go:embed schemas/*.json
var schemaFS embed.FS

// embeddedSchemas returns a tool's generated input and output schemas, and
// false when they are missing.
func embeddedSchemas(name string) (in, out json.RawMessage, ok bool) {
	in, errIn := schemaFS.ReadFile("schemas/" + name + ".in.json")
	out, errOut := schemaFS.ReadFile("schemas/" + name + ".out.json")
	if errIn != nil || errOut != nil {
		return nil, nil, false
	}
	return bytes.TrimSuffix(in, []byte("\n")), bytes.TrimSuffix(out, []byte("\n")), true
}
