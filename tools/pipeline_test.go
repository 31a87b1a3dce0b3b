package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// The steps of a tool call (pipeline in tool.go), each on its own, on the
// real get_run tool's schemas.

type stepIn struct {
	RunID string `json:"run_id"`
}

func getRunPipeline(t *testing.T, fn func(ctx context.Context, c *call, in *stepIn) (*client.Run, error)) *pipeline[stepIn, client.Run] {
	t.Helper()
	in, out, ok := embeddedSchemas("get_run")
	require.True(t, ok)
	return &pipeline[stepIn, client.Run]{name: "get_run", v: &argValidator{raw: in, name: "get_run"},
		ids: idFieldsOf(in), limits: limitsFor(spec{name: "get_run"}, reflect.TypeFor[stepIn]()), shaper: &resultShaper{raw: out}, fn: fn}
}

func callWith(args string) mcp.CallToolRequest {
	var req mcp.CallToolRequest
	req.Params.Name = "get_run"
	req.Params.RawArguments = json.RawMessage(args)
	return req
}

func TestPipelineDecode(t *testing.T) {
	p := getRunPipeline(t, nil)
	in, bad := p.decode(callWith(`{"run_id": "tsk_v2_1"}`))
	require.Nil(t, bad)
	assert.Equal(t, "tsk_v2_1", in.RunID)

	for args, want := range map[string]string{
		`{}`:                          "run_id",
		`{"run_id": ".."}`:            "run_id",
		`{"run_id": "tsk_1", "x": 1}`: "x",
		`{"run_id": 7}`:               "run_id",
		`[1]`:                         "invalid arguments",
	} {
		_, bad := p.decode(callWith(args))
		require.NotNil(t, bad, args)
		assert.True(t, bad.IsError, args)
		assert.Contains(t, text0(bad), want, args)
		assert.Contains(t, text0(bad), "get_run: ", args)
	}
}

func TestPipelineLoggedTurnsAPanicIntoAnErrorResult(t *testing.T) {
	var logs bytes.Buffer
	deps := &Deps{Log: zerolog.New(&logs), Secrets: []string{"sk-secret-abcdef"}}
	p := getRunPipeline(t, nil)
	res := func() (res *mcp.CallToolResult) {
		defer p.logged(context.Background(), deps, time.Now(), &res)
		panic("boom with sk-secret-abcdef")
	}()
	require.NotNil(t, res)
	assert.True(t, res.IsError)
	assert.Contains(t, text0(res), "internal error")
	assert.Contains(t, logs.String(), `"tool":"get_run"`)
	assert.Contains(t, logs.String(), "boom")
	assert.NotContains(t, logs.String(), "sk-secret-abcdef")
	assert.Contains(t, logs.String(), `"is_error":true`)
}

func TestPipelineShape(t *testing.T) {
	deps := &Deps{Log: zerolog.Nop(), Secrets: []string{"sk-secret-abcdef"}}
	p := getRunPipeline(t, nil)

	res, err := p.shape(deps, &call{}, nil, errors.New("upstream said sk-secret-abcdef"))
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.NotContains(t, text0(res), "sk-secret-abcdef")

	_, err = p.shape(deps, &call{}, nil, &taskEndError{context.Canceled})
	assert.ErrorIs(t, err, context.Canceled, "a cancelled task ends cancelled")
	_, err = p.shape(deps, &call{}, nil, &taskEndError{errors.New("run failed: sk-secret-abcdef")})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "sk-secret-abcdef")

	res, err = p.shape(deps, &call{}, &client.Run{RunID: "tsk_v2_1", Status: client.RunStatusCompleted}, nil)
	require.NoError(t, err)
	assert.False(t, res.IsError)
	var got map[string]any
	require.NoError(t, json.Unmarshal(res.StructuredContent.(json.RawMessage), &got))
	assert.Equal(t, "tsk_v2_1", got["run_id"])
}

func TestPipelineCallNeedsAClient(t *testing.T) {
	called := false
	p := getRunPipeline(t, func(context.Context, *call, *stepIn) (*client.Run, error) { called = true; return nil, nil })
	deps := &Deps{Log: zerolog.Nop(), Client: func(context.Context) (*client.Client, error) { return nil, ErrNoAPIKey }}
	_, err := p.call(context.Background(), &call{deps: deps}, &stepIn{RunID: "tsk_1"})
	assert.ErrorIs(t, err, ErrNoAPIKey)
	assert.False(t, called, "no handler without a client")
}
