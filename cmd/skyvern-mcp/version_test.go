package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionNamesCommitAndDate(t *testing.T) {
	oldCommit, oldDate := commit, date
	t.Cleanup(func() { commit, date = oldCommit, oldDate })
	commit, date = "0123456789abcdef", "2026-12-05T18:00:00Z"
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"--version"}, strings.NewReader(""), &out, &errOut))
	assert.Equal(t, "skyvern-mcp 0.1.0-dev (commit 0123456789abcdef, built 2026-12-05T18:00:00Z, "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH+")\n", out.String())
}
