package sandbox_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestScriptVersionsAndFileTree(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, true)
	enc := base64.StdEncoding.EncodeToString
	v1, err := e.c.CreateScript(e.ctx, &client.CreateScriptRequest{WorkflowID: "wpid_1", Files: []client.ScriptFileCreate{
		{Path: "main.py", Content: enc([]byte("import app\n"))},
		{Path: "app/__init__.py", Content: "", Encoding: client.FileEncodingUTF8},
		{Path: "app/core/run.py", Content: "def run(): pass\n", Encoding: client.FileEncodingUTF8},
		{Path: "data.bin", Content: enc([]byte{0, 1, 2})},
		{Path: "README", Content: enc([]byte("hi")), MimeType: "text/plain"},
	}})
	require.NoError(t, err)
	assert.Regexp(t, `^s_\d{18}$`, v1.ScriptID)
	assert.Equal(t, 1, v1.Version)
	assert.Empty(t, v1.RunID)
	assert.Equal(t, 5, v1.FileCount)
	requireDateTime(t, v1.CreatedAt, false)
	// sha256 of "import app\n"
	assert.Equal(t, "sha256:69c487f68215e95f1d6fa2301ac4d57f4454f46e6c0adcef24bb0a1781d1835c", v1.FileTree["main.py"].ContentHash)
	assert.EqualValues(t, 11, *v1.FileTree["main.py"].Size)
	app := v1.FileTree["app"]
	require.Equal(t, "directory", app.Type)
	assert.Nil(t, app.Size)
	assert.EqualValues(t, 0, *app.Children["__init__.py"].Size)
	run := app.Children["core"].Children["run.py"]
	assert.Equal(t, "file", run.Type)
	assert.EqualValues(t, 16, *run.Size)
	assert.Equal(t, "text/x-python", run.MimeType)
	assert.Equal(t, "application/octet-stream", v1.FileTree["data.bin"].MimeType)
	assert.Equal(t, "text/plain", v1.FileTree["README"].MimeType, "a given mime_type is kept")

	e.clock.Advance(time.Minute)
	v2, err := e.c.DeployScript(e.ctx, v1.ScriptID, &client.DeployScriptRequest{Files: []client.ScriptFileCreate{{Path: "main.py", Content: enc([]byte("print(2)"))}}})
	require.NoError(t, err)
	assert.Equal(t, 2, v2.Version)
	assert.Equal(t, 1, v2.FileCount)
	assert.NotContains(t, v2.FileTree, "app", "a deploy replaces every file")
	assert.NotEqual(t, v1.CreatedAt, v2.CreatedAt)

	got, err := e.c.GetScript(e.ctx, v1.ScriptID)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)
	assert.Equal(t, v2.CreatedAt, got.CreatedAt)
	assert.Regexp(t, `^sr_\d{18}$`, got.ScriptRevisionID)
	assert.Equal(t, sandbox.OrganizationID, got.OrganizationID)

	code, _, body := e.raw(t, "POST", "/v1/scripts/"+v1.ScriptID+"/run", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "null", string(body))
	after, err := e.c.GetScript(e.ctx, v1.ScriptID)
	require.NoError(t, err)
	assert.Equal(t, 2, after.Version, "running makes no version")
}

func TestScriptValidation(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	for _, tc := range []struct {
		path, body string
		loc        []any
		msg        string
	}{
		{"/v1/scripts", `{"files":[{"path":"a.py","content":"%%%"}]}`, []any{"body", "files", 0, "content"}, "Invalid base64-encoded string"},
		{"/v1/scripts", `{"files":[{"content":"YQ=="}]}`, []any{"body", "files", 0, "path"}, "Field required"},
		{"/v1/scripts", `{"files":[{"path":"a.py","content":"a","encoding":"latin-1"}]}`, []any{"body", "files", 0, "encoding"}, "Input should be 'base64' or 'utf-8'"},
		{"/v1/scripts", `{"files":{"path":"a.py"}}`, []any{"body", "files"}, "Input should be a valid list"},
		{"/v1/scripts", ``, []any{"body"}, "Field required"},
	} {
		code, _, body := e.raw(t, "POST", tc.path, "application/json", tc.body)
		require.Equal(t, 422, code, "%s: %s", tc.body, body)
		assert.Contains(t, findLoc(t, validation(t, body), tc.loc...).Msg, tc.msg, tc.body)
	}
	s, err := e.c.CreateScript(e.ctx, nil)
	require.NoError(t, err)
	code, _, body := e.raw(t, "POST", "/v1/scripts/"+s.ScriptID+"/deploy", "application/json", `{}`)
	require.Equal(t, 422, code)
	findLoc(t, validation(t, body), "body", "files")
	code, _, body = e.raw(t, "POST", "/v1/scripts/"+s.ScriptID+"/deploy", "application/json", `{"files":null}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "list_type", findLoc(t, validation(t, body), "body", "files").Type)

	code, _, body = e.raw(t, "POST", "/v1/scripts", "application/json", `{"run_id":"wr_000000000000000001"}`)
	assert.Equal(t, 404, code)
	assert.JSONEq(t, `{"detail":"Run_id wr_000000000000000001 not found"}`, string(body))
	for _, p := range []string{"GET /v1/scripts/s_1", "POST /v1/scripts/s_1/run"} {
		method, path, _ := strings.Cut(p, " ")
		code, _, body = e.raw(t, method, path, "", "")
		assert.Equal(t, 404, code, p)
		assert.JSONEq(t, `{"detail":"Script not found"}`, string(body), p)
	}

	code, _, body = e.raw(t, "GET", "/v1/scripts?page=0", "", "")
	require.Equal(t, 422, code)
	findLoc(t, validation(t, body), "query", "page")
	code, _, body = e.raw(t, "GET", "/v1/scripts?page=5", "", "")
	require.Equal(t, 200, code)
	var list []any
	require.NoError(t, json.Unmarshal(body, &list))
	assert.Empty(t, list)
}
