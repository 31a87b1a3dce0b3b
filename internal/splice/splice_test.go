package splice

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func line(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return append(b, '\n')
}

func response(contents ...mcp.ResourceContents) mcp.JSONRPCResponse {
	return mcp.JSONRPCResponse{JSONRPC: "2.0", ID: mcp.NewRequestId(7), Result: mcp.ReadResourceResult{Contents: contents}}
}

// TestBlobAndTextLikeMarshal: the spliced line is byte for byte what
// json.Marshal writes for the real payloads, whatever their size.
func TestBlobAndTextLikeMarshal(t *testing.T) {
	raw := make([]byte, 3*chunk+5)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	txt := []byte(strings.Repeat("héllo <b>\"x\"</b> & \u2028 ✓\n\t", 20000))
	var out bytes.Buffer
	w := NewWriter(&out)
	blobTok, textTok := w.Blob(raw), w.Text(txt)
	assert.Equal(t, 2, w.Pending())
	msg := line(t, response(
		mcp.BlobResourceContents{URI: "skyvern://artifacts/a_1", MIMEType: "video/webm", Blob: blobTok},
		mcp.TextResourceContents{URI: "skyvern://artifacts/a_2", MIMEType: "text/html", Text: textTok}))
	n, err := fmt.Fprintf(w, "%s", msg)
	require.NoError(t, err)
	assert.Equal(t, len(msg), n)
	want := line(t, response(
		mcp.BlobResourceContents{URI: "skyvern://artifacts/a_1", MIMEType: "video/webm", Blob: encodeStd(raw)},
		mcp.TextResourceContents{URI: "skyvern://artifacts/a_2", MIMEType: "text/html", Text: string(txt)}))
	assert.Equal(t, string(want), out.String())
	assert.Zero(t, w.Pending(), "each payload is sent once")

	// A placeholder seen again, or one never registered, passes through.
	out.Reset()
	_, err = w.Write(msg)
	require.NoError(t, err)
	assert.Equal(t, string(msg), out.String())
}

func TestPassThroughWithoutPayloads(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	_, err := w.Write([]byte(`{"text":"skyvern-mcp-splice:short"}` + "\n"))
	require.NoError(t, err)
	w.Blob([]byte("x"))
	_, err = w.Write([]byte(`{"text":"skyvern-mcp-splice:short"}` + "\n"))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat(`{"text":"skyvern-mcp-splice:short"}`+"\n", 2), out.String())
	assert.Equal(t, 1, w.Pending())
}

func encodeStd(b []byte) string {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	_ = enc.Encode(b) // []byte marshals as standard base64
	s := strings.TrimSpace(sb.String())
	return s[1 : len(s)-1]
}
