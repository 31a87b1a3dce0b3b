// Command gen writes skyvern-mcp's MCP Bundle manifest (package mcpb):
//
//	go run ./internal/mcpb/gen -version 1.2.0 [-goos linux] -o manifest.json
//
// Without -goos it writes the platform-neutral manifest (mcpb/manifest.json).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/skyvern-mcp/skyvern-mcp/internal/mcpb"
)

func main() {
	version := flag.String("version", "0.1.0-dev", "the bundle's version")
	goos := flag.String("goos", "", "the bundle's platform (linux, darwin, windows); empty: every platform")
	out := flag.String("o", "-", "output file (- for stdout)")
	flag.Parse()
	m, err := mcpb.Manifest(*version, mcpb.Target{GOOS: *goos})
	if err == nil {
		if *out == "-" {
			_, err = os.Stdout.Write(m)
		} else {
			err = os.WriteFile(*out, m, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
