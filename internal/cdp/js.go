package cdp

import (
	_ "embed"
	"encoding/json"
	"strings"
)

// pageJS installs window.__mcp in the page (once per document): the
// snapshot walker, element lookup by ref or selector across same-origin
// iframes, and small DOM helpers.
//
//go:embed page.js
var pageJS string

// call is a JavaScript expression calling fn of the helper with args.
func call(fn string, args ...any) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(pageJS))
	b.WriteString(".")
	b.WriteString(fn)
	b.WriteString("(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(",")
		}
		j, _ := json.Marshal(a)
		b.Write(j)
	}
	b.WriteString(")")
	return b.String()
}
