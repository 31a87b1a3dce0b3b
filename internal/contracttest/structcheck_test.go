package contracttest

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileMeta is embedded to prove embedded structs are flattened.
type fileMeta struct {
	Checksum *string `json:"checksum,omitempty"`
	Filename *string `json:"filename,omitempty"`
}

// fileInfo matches components.schemas.FileInfo exactly.
type fileInfo struct {
	URL string `json:"url"`
	fileMeta
	FileSize   *int64     `json:"file_size,omitempty"`
	ModifiedAt *time.Time `json:"modified_at,omitempty"`
	ArtifactID *string    `json:"artifact_id"`
	Local      string     `json:"-"` // skipped
	cache      string     // unexported: skipped
}

// fileInfoDrifted lost artifact_id and renamed file_size.
type fileInfoDrifted struct {
	URL string `json:"url"`
	fileMeta
	FileSize   *int64     `json:"filesize,omitempty"`
	ModifiedAt *time.Time `json:"modified_at,omitempty"`
}

func TestCheckStructMatches(t *testing.T) {
	spec := Load(t)
	_ = fileInfo{}.cache
	rec := &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[*fileInfo](), "FileInfo")
	assert.Empty(t, rec.all())
}

func TestCheckStructReportsMissingAndExtra(t *testing.T) {
	spec := Load(t)
	rec := &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[fileInfoDrifted](), "FileInfo")

	msgs := rec.all()
	require.Len(t, msgs, 3, rec.joined())
	assert.Contains(t, msgs[0], `spec property "artifact_id" has no Go field`)
	assert.Contains(t, msgs[1], `spec property "file_size" has no Go field`)
	assert.Contains(t, msgs[2], `Go field FileSize (JSON "filesize") is not a spec property`)
	for _, m := range msgs {
		assert.Contains(t, m, `contracttest.fileInfoDrifted vs components.schemas["FileInfo"]`)
	}
}

func TestCheckStructIgnores(t *testing.T) {
	spec := Load(t)

	rec := &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[fileInfoDrifted](), "FileInfo",
		IgnoreSpecProperty("artifact_id", "internal refresh id, not exposed"),
		IgnoreSpecProperty("file_size", "decoded as filesize"),
		IgnoreGoField("filesize", "legacy name kept for compatibility"))
	assert.Empty(t, rec.all())

	rec = &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[fileInfo](), "FileInfo",
		IgnoreSpecProperty("url", "present on both sides"),
		IgnoreGoField("nonexistent", "no such field"),
		IgnoreGoField("url", ""))
	all := rec.joined()
	assert.Contains(t, all, `IgnoreSpecProperty("url") is stale`)
	assert.Contains(t, all, `IgnoreGoField("nonexistent") is stale`)
	assert.Contains(t, all, `IgnoreGoField("url") needs a reason`)
}

func TestCheckStructErrors(t *testing.T) {
	spec := Load(t)
	rec := &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[fileInfo](), "NoSuchSchema")
	spec.CheckStruct(rec, reflect.TypeFor[string](), "FileInfo")
	spec.CheckStruct(rec, reflect.TypeFor[fileInfo](), "RunStatus") // an enum, not an object
	msgs := rec.all()
	require.Len(t, msgs, 3)
	assert.Contains(t, msgs[0], "no such schema")
	assert.Contains(t, msgs[1], "not a struct type")
	assert.Contains(t, msgs[2], "schema has no properties")
}

// TestCheckStructWrappers uses a tiny document to prove $ref, nullable
// anyOf and allOf wrappers are followed down to the object properties.
func TestCheckStructWrappers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {},
  "components": {"schemas": {
    "Inner": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
    "Nullable": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]},
    "Alias": {"$ref": "#/components/schemas/Nullable"},
    "Composed": {"allOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "object", "properties": {"c": {"type": "boolean"}}}]},
    "Union": {"oneOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "object", "properties": {"z": {}}}]}
  }}
}`), 0o600))
	spec, err := loadSpec(path, false)
	require.NoError(t, err)

	type ab struct {
		A string `json:"a"`
		B int    `json:"b"`
	}
	type abc struct {
		ab
		C bool `json:"c"`
	}
	for _, name := range []string{"Inner", "Nullable", "Alias"} {
		rec := &recorder{}
		spec.CheckStruct(rec, reflect.TypeFor[ab](), name)
		assert.Empty(t, rec.all(), name)
	}
	rec := &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[abc](), "Composed")
	assert.Empty(t, rec.all())

	rec = &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[ab](), "Composed")
	assert.Contains(t, rec.joined(), `spec property "c" has no Go field`)

	rec = &recorder{}
	spec.CheckStruct(rec, reflect.TypeFor[ab](), "Union")
	assert.Contains(t, rec.joined(), "union of 2 non-null alternatives")
}
