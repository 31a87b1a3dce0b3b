package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// commit and date are set at build time (make build, make dist,
// GoReleaser): -ldflags "-X main.commit=<sha> -X main.date=<RFC 3339>".
var commit, date string

// defaultVersion is client.Version before any -ldflags: the mark of a
// binary built without them (go install, go build).
const defaultVersion = "0.1.0-dev"

// buildInfo is what --version prints: the version, commit and build date.
type buildInfo struct {
	Version, Commit, Date string
}

// currentBuild returns this binary's version, commit and date: the
// -ldflags values when set, else what the Go toolchain recorded
// (runtime/debug.ReadBuildInfo): the module version for go install
// module@version, the VCS revision and time for a build in a git checkout.
func currentBuild() buildInfo {
	b := buildInfo{Version: client.Version, Commit: commit, Date: date}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b.orUnknown()
	}
	if b.Version == defaultVersion && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
		// Keep the User-Agent and the MCP server version in step.
		client.Version = b.Version
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && b.Commit == "":
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "":
			b.Date = s.Value
		case s.Key == "vcs.modified" && s.Value == "true" && b.Commit != "" && commit == "":
			b.Commit += "-dirty"
		}
	}
	return b.orUnknown()
}

func (b buildInfo) orUnknown() buildInfo {
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

// String is the --version line: "skyvern-mcp <version> (commit <sha>,
// built <date>, <go version> <os>/<arch>)".
func (b buildInfo) String() string {
	return fmt.Sprintf("skyvern-mcp %s (commit %s, built %s, %s %s/%s)", b.Version, b.Commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
