// Package chromium starts headless Chromium processes for the sandbox's
// browser sessions and serves them over the Chrome DevTools Protocol
// behind a small proxy (see Browser.ServeCDP), as Skyvern serves a cloud
// session's browser_address. Debian's chromium or chromium-headless-shell
// package provides the binary.
package chromium

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNotFound says that no Chromium binary is installed, and which package
// to install.
var ErrNotFound = errors.New("no Chromium found: install the Debian package chromium " +
	"(apt-get install -y --no-install-recommends chromium) or chromium-headless-shell")

// Names are the binaries Find looks for in PATH, in order.
var Names = []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find returns the Chromium binary to run: path itself when set (it must
// exist), else the first of Names found in PATH, else ErrNotFound.
func Find(path string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("chromium binary %s: %w", path, err)
		}
		return path, nil
	}
	for _, n := range Names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
		// Debian installs chromium-headless-shell outside PATH.
		if n == "chromium-headless-shell" {
			p := "/usr/lib/chromium/chromium-headless-shell"
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", ErrNotFound
}

// Flags are the command-line flags every browser gets, besides
// --remote-debugging-port, --user-data-dir and (as root) --no-sandbox.
var Flags = []string{
	"--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-dev-shm-usage", "--mute-audio", "--window-size=1280,720", "--remote-debugging-address=127.0.0.1",
}

// Browser is one running Chromium: its own process group and temporary
// profile, both removed by Close.
type Browser struct {
	// Port is the DevTools port on 127.0.0.1.
	Port int
	// WSURL is the browser's DevTools WebSocket URL
	// (ws://127.0.0.1:port/devtools/browser/<id>).
	WSURL string

	cmd    *exec.Cmd
	dir    string
	exited chan struct{}
	once   sync.Once
}

// startTimeout bounds the wait for DevToolsActivePort.
const startTimeout = 30 * time.Second

// Launch starts bin headless on startURL ("" for about:blank) with a new
// temporary profile, and waits (at most 30 s, or until ctx ends) for its
// DevTools port. As root it adds --no-sandbox, which Chromium needs there.
// The error of a browser that does not start holds the end of its stderr.
func Launch(ctx context.Context, bin, startURL string) (*Browser, error) {
	dir, err := os.MkdirTemp("", "skyvern-mcp-chromium-")
	if err != nil {
		return nil, fmt.Errorf("chromium profile: %w", err)
	}
	args := append([]string{}, Flags...)
	args = append(args, "--remote-debugging-port=0", "--user-data-dir="+dir)
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox")
	}
	if startURL == "" {
		startURL = "about:blank"
	}
	args = append(args, startURL)
	cmd := exec.Command(bin, args...)
	stderr := &tailBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = nil, stderr
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	b := &Browser{cmd: cmd, dir: dir, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(b.exited) }()
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		if port, path, ok := readActivePort(dir); ok {
			b.Port, b.WSURL = port, "ws://127.0.0.1:"+strconv.Itoa(port)+path
			return b, nil
		}
		select {
		case <-ctx.Done():
			b.Close()
			return nil, ctx.Err()
		case <-deadline.C:
			b.Close()
			return nil, fmt.Errorf("%s did not open its DevTools port within %s: %s", bin, startTimeout, stderr.String())
		case <-b.exited:
			b.Close()
			return nil, fmt.Errorf("%s exited at start: %s", bin, stderr.String())
		case <-tick.C:
		}
	}
}

// readActivePort reads <dir>/DevToolsActivePort: the port, then the
// browser's WebSocket path.
func readActivePort(dir string) (int, string, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "DevToolsActivePort"))
	if err != nil {
		return 0, "", false
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 2 {
		return 0, "", false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || port <= 0 {
		return 0, "", false
	}
	return port, strings.TrimSpace(lines[1]), true
}

// Close kills the browser's whole process tree (its process group), waits
// for it, and removes the temporary profile. It is safe to call more than
// once and from several goroutines.
func (b *Browser) Close() {
	b.once.Do(func() {
		killGroup(b.cmd)
		select {
		case <-b.exited:
		case <-time.After(5 * time.Second):
		}
		_ = os.RemoveAll(b.dir)
	})
}

// Exited is closed when the browser's main process has ended.
func (b *Browser) Exited() <-chan struct{} { return b.exited }

// PID is the browser's main process ID (also its process group ID).
func (b *Browser) PID() int { return b.cmd.Process.Pid }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(t.buf.String())
	if s == "" {
		return "no output"
	}
	return s
}
