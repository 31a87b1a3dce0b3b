// Package stdioproc runs an MCP server binary (bin/skyvern-mcp) as a child
// process and speaks JSON-RPC to it over its stdio, as the benchmarks need
// it: raw response lines (whose size they measure) and the child's peak
// resident set size. It is not an MCP client: bench/httpload and
// bench/replicas use mcp-go's.
package stdioproc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Proc is a running server spoken to over its stdio. Use it from one
// goroutine.
type Proc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	// Started is when the process was started (cold start timings).
	Started time.Time
	id      int
}

// Spawn starts bin with args. Its environment is this process's without
// SKYVERN_* variables (a developer's key or settings must not change what
// is measured), plus env ("NAME=value"). Its stderr is discarded.
func Spawn(bin string, env []string, args ...string) (*Proc, error) {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SKYVERN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = io.Discard
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &Proc{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), Started: time.Now()}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// Initialize does the MCP handshake as client name and returns the
// initialize response line.
func (p *Proc) Initialize(name string) ([]byte, error) {
	raw, err := p.Request("initialize", map[string]any{
		"protocolVersion": "2025-06-18",
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": name, "version": "1"},
	})
	if err != nil {
		return nil, err
	}
	return raw, p.Send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
}

// Send writes one JSON-RPC message as a line.
func (p *Proc) Send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	_, err = p.in.Write(append(b, '\n'))
	return err
}

// Request sends one request and returns its raw response line (without the
// newline), skipping notifications and other messages. A JSON-RPC error
// answer is returned as the line and an error holding it.
func (p *Proc) Request(method string, params any) ([]byte, error) {
	p.id++
	msg := map[string]any{"jsonrpc": "2.0", "id": p.id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if err := p.Send(msg); err != nil {
		return nil, err
	}
	want := []byte(`"id":` + strconv.Itoa(p.id) + `,`)
	want2 := []byte(`"id":` + strconv.Itoa(p.id) + `}`)
	for {
		line, err := p.out.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("%s: reading the response: %w", method, err)
		}
		line = bytes.TrimRight(line, "\n")
		head := line[:min(len(line), 64)] // {"jsonrpc":"2.0","id":N,"result" or "error"
		if bytes.Contains(head, want) || bytes.Contains(head, want2) {
			if bytes.Contains(head, []byte(`"error":`)) {
				return line, fmt.Errorf("%s: %s", method, line)
			}
			return line, nil
		}
	}
}

// HWM is the child's peak resident set size in bytes (VmHWM of
// /proc/<pid>/status), or -1 where that is not available.
func (p *Proc) HWM() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}

// Close closes the child's stdin and waits up to 3 s for it to exit, then
// kills it.
func (p *Proc) Close() {
	_ = p.in.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}
