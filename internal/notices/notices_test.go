package notices

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const committed = "../../THIRD_PARTY_NOTICES.md"

// TestNoticesUpToDate checks THIRD_PARTY_NOTICES.md names every module
// compiled into the binary with its license (UPDATE_NOTICES=true rewrites
// it: make notices).
func TestNoticesUpToDate(t *testing.T) {
	mods, err := Modules("../..", "./cmd/skyvern-mcp")
	require.NoError(t, err)
	var paths []string
	for _, m := range mods {
		paths = append(paths, m.Path)
	}
	assert.Contains(t, paths, "github.com/mark3labs/mcp-go")
	assert.NotContains(t, paths, "github.com/stretchr/testify", "test-only modules are not in the binary")
	want, err := Generate(mods)
	require.NoError(t, err)
	if os.Getenv("UPDATE_NOTICES") == "true" {
		require.NoError(t, os.WriteFile(committed, want, 0o644))
	}
	got, err := os.ReadFile(committed)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "THIRD_PARTY_NOTICES.md is stale: run make generate")
	for _, l := range strings.Split(string(got), "\n") {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "| Module") {
			assert.NotContains(t, l, "see below", "a license the generator does not recognise: %s", l)
		}
	}
}

func TestIdentify(t *testing.T) {
	mit, err := os.ReadFile("../../LICENSE")
	require.NoError(t, err)
	assert.Equal(t, "MIT", Identify(string(mit)))
	assert.Equal(t, "Apache-2.0", Identify("Apache License\n Version 2.0, January 2004"))
	assert.Equal(t, "BSD-3-Clause", Identify("Redistribution and use in source and binary forms ... Neither the name of Google Inc."))
	assert.Equal(t, "", Identify("All rights reserved."))
}
