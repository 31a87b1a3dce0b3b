package main

import "github.com/skyvern-mcp/skyvern-mcp/client/sandbox"

// sandboxChromium maps --sandbox-chromium to sandbox.Options.Chromium:
// "off" simulates browsers, "auto" (the default) finds Chromium in PATH
// when a session starts (failing that session with the package to
// install), anything else is the binary's path.
func sandboxChromium(flag string) string {
	switch flag {
	case "off", "":
		return ""
	case "auto":
		return sandbox.ChromiumAuto
	}
	return flag
}
