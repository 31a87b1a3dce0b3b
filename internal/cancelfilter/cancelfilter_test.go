package cancelfilter

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func feed(t *testing.T, f *Filter, client string) {
	t.Helper()
	got, err := io.ReadAll(f.Reader(strings.NewReader(client)))
	require.NoError(t, err)
	assert.Equal(t, client, string(got), "the client's stream passes unchanged")
}

func TestDropsOnlyResponsesToCancelledRequests(t *testing.T) {
	f := New()
	var out bytes.Buffer
	w := f.Writer(&out)

	// An early answer, then a late cancellation of it: nothing to drop.
	_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{}}`+"\n")
	long := `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"x","arguments":{"p":"` + strings.Repeat("a", 10000) + `notifications/cancelled"}}}`
	feed(t, f, strings.Join([]string{
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"abc"}}`,
		long,
		`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":3,"progress":1}}`,
	}, "\n")+"\n")

	// The cancelled number ID, written in two pieces: dropped.
	_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":2,"res`)
	_, _ = io.WriteString(w, `ult":{"content":[]}}`+"\n")
	// The cancelled string ID, as an error: dropped.
	_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":"abc","error":{"code":-32603,"message":"context canceled"}}`+"\n")
	// A notification, a number ID 3 and a string ID "2" are sent.
	_, _ = io.WriteString(w, `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":2,"progress":1}}`+"\n"+
		`{"jsonrpc":"2.0","id":3,"result":{}}`+"\n"+`{"jsonrpc":"2.0","id":"2","result":{}}`+"\n")
	// A second response with ID 2 (a later request reusing it) is sent.
	_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":2,"result":{}}`+"\n")

	assert.Equal(t, `{"jsonrpc":"2.0","id":1,"result":{}}`+"\n"+
		`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":2,"progress":1}}`+"\n"+
		`{"jsonrpc":"2.0","id":3,"result":{}}`+"\n"+
		`{"jsonrpc":"2.0","id":"2","result":{}}`+"\n"+
		`{"jsonrpc":"2.0","id":2,"result":{}}`+"\n", out.String())
	assert.Equal(t, 2, f.Dropped())
}
