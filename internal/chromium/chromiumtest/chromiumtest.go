// Package chromiumtest finds Chromium for tests: a test that needs it
// skips loudly, naming the Debian package, when it is missing outside CI,
// and fails in CI (CI installs it).
package chromiumtest

import (
	"os"
	"testing"

	"github.com/skyvern-mcp/skyvern-mcp/internal/chromium"
)

// Require returns the Chromium binary, or skips (fails under CI=true) when
// none is installed.
func Require(t testing.TB) string {
	t.Helper()
	bin, err := chromium.Find(os.Getenv("SKYVERN_CHROMIUM"))
	if err == nil {
		return bin
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI must have Chromium: %v", err)
	}
	t.Skipf("SKIPPED: this test drives a real browser and %v", err)
	return ""
}
