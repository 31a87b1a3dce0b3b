package tools

import (
	"embed"
	"encoding/json"

	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"
)

// Every tool's JSON as clients see it (name, title, description, input and
// output schemas, annotations) is generated into toolsnaps/<tool>.json,
// indented so a change shows as a readable diff, and embedded: the schemas
// are read from there, so start-up costs no reflection and each schema is
// stored once. The schemas come from the tools' Go input and output types
// (package schema); TestToolSnapshots fails when a file differs from what
// the code produces now. Regenerate with `make generate`, or:
//
//go:generate env UPDATE_TOOLSNAPS=true go test -run ^TestToolSnapshots$ -count=1 .

//go:embed toolsnaps/*.json
var snapshotFS embed.FS

// embeddedSchemas returns a tool's generated input and output schemas,
// compact (byte for byte what reflection produces), and false when its
// snapshot is missing or has none. gjson finds them without decoding the
// whole snapshot: building all 100 tools takes about 1.6 ms, 0.55 ms more
// than from separate compact schema files (BenchmarkCatalogEmbedded).
func embeddedSchemas(name string) (in, out json.RawMessage, ok bool) {
	raw, err := snapshotFS.ReadFile("toolsnaps/" + name + ".json")
	if err != nil {
		return nil, nil, false
	}
	res := gjson.GetManyBytes(raw, "inputSchema", "outputSchema")
	if !res[0].IsObject() || !res[1].IsObject() {
		return nil, nil, false
	}
	return pretty.UglyInPlace([]byte(res[0].Raw)), pretty.UglyInPlace([]byte(res[1].Raw)), true
}
