// Command hugeanswer measures the peak RSS of the skyvern-mcp binary when
// Skyvern answers get_run with a 200 MB body (the body is generated while
// it is sent, on loopback, and never held whole). It runs the binary over
// stdio once with a Content-Length and once chunked, and prints the
// answer's first bytes and the child's peak RSS (getrusage maxrss).
//
//	go build -o bin/skyvern-mcp ./cmd/skyvern-mcp && go run ./bench/hugeanswer -bin bin/skyvern-mcp
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/skyvern-mcp", "the skyvern-mcp binary")
	size := flag.Int("mb", 200, "size of the answer, in MB")
	timeout := flag.Duration("timeout", 2*time.Minute, "kill the binary after this long")
	flag.Parse()
	total := *size << 20
	for _, sized := range []bool{true, false} {
		srv := httptest.NewServer(hugeRun(total, sized))
		rss, answer, err := run(*bin, srv.URL, *timeout)
		srv.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "hugeanswer:", err)
			os.Exit(1)
		}
		mode := "chunked"
		if sized {
			mode = "Content-Length"
		}
		fmt.Printf("| %d MB get_run answer (%s) | peak RSS %.1f MB | answer: %.160s |\n", *size, mode, float64(rss)/(1<<20), answer)
	}
}

func hugeRun(total int, sized bool) http.HandlerFunc {
	head := []byte(`{"run_id":"tsk_1","status":"completed","created_at":"x","modified_at":"x","run_type":"task_v1","output":"`)
	tail := []byte(`"}`)
	filler := bytes.Repeat([]byte("A"), 64<<10)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if sized {
			w.Header().Set("Content-Length", strconv.Itoa(total))
		}
		_, _ = w.Write(head)
		for left := total - len(head) - len(tail); left > 0; {
			n := min(left, len(filler))
			if _, err := w.Write(filler[:n]); err != nil {
				return
			}
			left -= n
		}
		_, _ = w.Write(tail)
	}
}

// run starts the binary, calls get_run and returns its peak RSS in bytes
// and the tools/call answer.
func run(bin, baseURL string, timeout time.Duration) (int64, string, error) {
	cmd := exec.Command(bin, "--base-url", baseURL, "--log-level", "error")
	cmd.Env = append(os.Environ(), "SKYVERN_API_KEY=bench-key")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	lines := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_run","arguments":{"run_id":"tsk_1"}}}`,
	}
	go func() {
		for _, l := range lines {
			_, _ = io.WriteString(in, l+"\n")
		}
	}()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	answer := ""
	timer := time.AfterFunc(timeout, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"id":2`) {
			answer = sc.Text()
			break
		}
	}
	_ = in.Close()
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return 0, answer, fmt.Errorf("binary: %w", err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return ru.Maxrss * 1024, answer, nil
}
