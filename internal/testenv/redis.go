package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Redis starts a real redis-server (Debian package redis-server) on a free
// loopback port in a temporary directory, stopped when the test ends, and
// returns its URL (redis://127.0.0.1:<port>/0). Without the binary it fails
// under CI (.ci/run installs it) and skips loudly elsewhere.
func Redis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" && os.Getenv("CI") != "false" {
			t.Fatal("redis-server is missing (Debian package redis-server; .ci/run installs it)")
		}
		t.Skip("SKIPPED: needs redis-server (Debian package redis-server): apt-get install redis-server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			break
		}
		require.Less(t, i, 200, "redis-server did not listen")
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Sprintf("redis://127.0.0.1:%d/0", port)
}
