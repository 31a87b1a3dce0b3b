// Command httpload is a load benchmark of skyvern-mcp's streamable HTTP
// transport. It starts bin/skyvern-mcp --sandbox --transport http on a free
// loopback port and, with mcp-go's own client:
//
//  1. opens -sessions concurrent sessions (default 50), each calling get_run
//     on one run created at the start, as fast as answers come, until
//     -duration (default 10 s) or -max-calls calls in all, whichever first;
//     it reports calls/s and the p50, p90, p99 and max latency of a call;
//  2. opens -idle idle sessions (default 1,000) and reports the server's RSS
//     (VmRSS from /proc/PID/status) before and after, then again once each of
//     them also holds the standalone GET event stream that the TypeScript SDK
//     client opens after initialize.
//
// Everything runs on loopback and stops by itself. It prints one markdown
// table. It is not part of make test.
//
//	make bench-http                      # builds bin/skyvern-mcp, then: go run ./bench/httpload
//	go run ./bench/httpload -h           # flags
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// apiKey is sent as x-api-key by every session, so that all of them share
// one per-key sandbox (the one holding the run they read).
const apiKey = "sk-bench-httpload-0000"

type options struct {
	bin        string
	sessions   int
	duration   time.Duration
	maxCalls   int64
	idle       int
	streams    bool
	runSeconds float64
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/skyvern-mcp", "the server binary")
	flag.IntVar(&o.sessions, "sessions", 50, "concurrent sessions calling get_run (1-1000)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long the calls go on (at most 5m)")
	flag.Int64Var(&o.maxCalls, "max-calls", 1_000_000, "most get_run calls in all")
	flag.IntVar(&o.idle, "idle", 1000, "idle sessions to open for the memory figure (0-10000; 0: skip)")
	flag.BoolVar(&o.streams, "streams", true, "also open the standalone GET event stream of each idle session")
	flag.Float64Var(&o.runSeconds, "sandbox-run-seconds", 1, "how long the sandbox run that get_run reads takes")
	flag.Parse()
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(1)
	}
}

func (o options) check() error {
	switch {
	case o.sessions < 1 || o.sessions > 1000:
		return fmt.Errorf("-sessions: expected 1 to 1000, got %d", o.sessions)
	case o.duration <= 0 || o.duration > 5*time.Minute:
		return fmt.Errorf("-duration: expected more than 0 and at most 5m, got %s", o.duration)
	case o.maxCalls < 1:
		return fmt.Errorf("-max-calls: expected at least 1, got %d", o.maxCalls)
	case o.idle < 0 || o.idle > 10000:
		return fmt.Errorf("-idle: expected 0 to 10000, got %d", o.idle)
	case o.runSeconds < 0 || o.runSeconds > 60:
		return fmt.Errorf("-sandbox-run-seconds: expected 0 to 60, got %g", o.runSeconds)
	}
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("%w (run make build first)", err)
	}
	return nil
}

type row struct{ metric, value, note string }

func run(o options) error {
	// The whole run is bounded: the load phase, plus generous time to set up
	// and to open the idle sessions.
	ctx, cancel := context.WithTimeout(context.Background(), o.duration+5*time.Minute)
	defer cancel()

	// Other work on the machine skews every figure; the load average says how much.
	loadStart := loadAvg()
	srv, err := startServer(ctx, o.bin, o.runSeconds)
	if err != nil {
		return err
	}
	defer srv.stop()
	url := "http://" + srv.addr + "/mcp"

	// One HTTP client for all sessions, keeping enough idle connections for
	// every concurrent session (the default keeps 2 per host, which would
	// turn the benchmark into one of TCP connection setup). No overall
	// timeout: the idle sessions' event streams stay open.
	hc := &http.Client{Transport: &http.Transport{
		MaxIdleConns:        o.sessions + o.idle + 16,
		MaxIdleConnsPerHost: o.sessions + o.idle + 16,
		IdleConnTimeout:     90 * time.Second,
	}}

	var rows []row
	add := func(metric, value, note string) { rows = append(rows, row{metric, value, note}) }
	rssStart := srv.rss()

	// The run every get_run reads, finished before the load starts so that
	// every call returns the same completed run.
	setup, err := newSession(ctx, url, hc)
	if err != nil {
		return fmt.Errorf("first session: %w", err)
	}
	runID, err := createRun(ctx, setup)
	if err != nil {
		return err
	}
	_ = setup.Close()

	// Phase 1: N concurrent sessions calling get_run.
	load := make([]*mcpclient.Client, o.sessions)
	if err := parallel(o.sessions, 50, func(i int) (err error) {
		load[i], err = newSession(ctx, url, hc)
		return err
	}); err != nil {
		return fmt.Errorf("opening the load sessions: %w", err)
	}
	cpu0, self0 := srv.cpu(), selfCPU()
	res := callLoad(ctx, load, runID, o.duration, o.maxCalls)
	cpu1, self1 := srv.cpu(), selfCPU()
	rssLoad, hwmLoad := srv.rss(), srv.hwm()
	closeAll(load)
	if res.calls == 0 {
		return fmt.Errorf("no get_run call succeeded (%d errors; first: %v)", res.errors, res.firstErr)
	}
	add("Throughput: `get_run`", fmt.Sprintf("%s calls/s", thousands(int(res.perSecond()))),
		fmt.Sprintf("%d sessions for %s; %s calls, %d errors", o.sessions, res.elapsed.Round(10*time.Millisecond), thousands(int(res.calls)), res.errors))
	add("Latency of a call: p50 / p90 / p99", fmt.Sprintf("%s / %s / %s", ms(pct(res.lat, 50)), ms(pct(res.lat, 90)), ms(pct(res.lat, 99))),
		fmt.Sprintf("max %s; client-side, `tools/call` sent to result decoded", ms(slices.Max(res.lat))))
	if res.calls > 0 && cpu0 >= 0 && cpu1 >= 0 {
		per := (cpu1 - cpu0) / time.Duration(res.calls)
		add("CPU per call: server / this client", fmt.Sprintf("%s / %s", us(per), us((self1-self0)/time.Duration(res.calls))),
			fmt.Sprintf("server busy %.0f%% of %d cores during the load (sandbox included)", 100*(cpu1-cpu0).Seconds()/res.elapsed.Seconds()/float64(runtime.NumCPU()), runtime.NumCPU()))
	}
	add("Server RSS: idle, after the load", fmt.Sprintf("%s, %s", mib(rssStart), mib(rssLoad)), fmt.Sprintf("peak (VmHWM) %s", mib(hwmLoad)))

	// Phase 2: idle sessions.
	if o.idle > 0 {
		settle()
		before := srv.rss()
		idle := make([]*mcpclient.Client, o.idle)
		start := time.Now()
		if err := parallel(o.idle, 50, func(i int) (err error) {
			idle[i], err = newSession(ctx, url, hc)
			return err
		}); err != nil {
			closeAll(idle)
			return fmt.Errorf("opening the idle sessions: %w", err)
		}
		opened := time.Since(start)
		settle()
		after := srv.rss()
		add(fmt.Sprintf("Server RSS with %s idle sessions", thousands(o.idle)), fmt.Sprintf("%s → %s", mib(before), mib(after)),
			fmt.Sprintf("%s per session; opened in %s (%s sessions/s)", kib((after-before)/int64(o.idle)),
				opened.Round(time.Millisecond), thousands(int(float64(o.idle)/opened.Seconds()))))
		if o.streams {
			streams, err := openStreams(ctx, url, hc, idle)
			if err != nil {
				closeStreams(streams)
				closeAll(idle)
				return err
			}
			settle()
			withStreams := srv.rss()
			add("… and each with its GET event stream open", mib(withStreams),
				fmt.Sprintf("%s per session over no stream; one connection and one SSE stream each", kib((withStreams-after)/int64(o.idle))))
			closeStreams(streams)
		}
		// The server must still answer after all that.
		if _, err := newSession(ctx, url, hc); err != nil {
			closeAll(idle)
			return fmt.Errorf("a session after the idle ones: %w", err)
		}
		closeAll(idle)
	}

	code, stopped := srv.stop()
	if code != 0 {
		return fmt.Errorf("the server exited %d on SIGTERM (took %s); log tail:\n%s", code, stopped, srv.tail())
	}
	add("Shutdown on SIGTERM", stopped.Round(time.Millisecond).String(), "exit 0")

	fmt.Printf("skyvern-mcp --sandbox --transport http on loopback; mcp-go %s client\n", mcpGoVersion())
	fmt.Printf("Machine: %s, %d cores (%s/%s, %s), %s; load average before/after: %s / %s\n\n", cpuModel(), runtime.NumCPU(),
		runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().Format("2006-01-02"), loadStart, loadAvg())
	fmt.Println("| Metric | Value | Notes |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.metric, r.value, r.note)
	}
	if res.errors > 0 {
		return fmt.Errorf("%d get_run calls failed; first: %v", res.errors, res.firstErr)
	}
	return nil
}

// settle gives the server a moment to finish background work (and the Go
// runtime a GC cycle or two) before RSS is read.
func settle() { time.Sleep(1500 * time.Millisecond) }

// --- the server --------------------------------------------------------------------------------------

type server struct {
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	lines  []string // the log's last lines
	exited chan struct{}
	once   sync.Once
	code   int
	took   time.Duration
}

func startServer(ctx context.Context, bin string, runSeconds float64) (*server, error) {
	bin, err := filepath.Abs(bin) // it runs in another directory
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--sandbox", "--sandbox-run-seconds", strconv.FormatFloat(runSeconds, 'f', -1, 64),
		"--transport", "http", "--addr", "127.0.0.1:0",
		// Every session of the benchmark is one caller (one key).
		"--max-sessions-per-caller", "20000")
	// Neither the caller's Skyvern settings nor a bearer token.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "SKYVERN_") && k != "MCP_AUTH_TOKEN" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Dir = os.TempDir() // no .env picked up
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.lines = append(s.lines, line)
			if len(s.lines) > 50 {
				s.lines = s.lines[1:]
			}
			s.mu.Unlock()
			var rec struct{ Message, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Message == "listening" && rec.Addr != "" {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	select {
	case s.addr = <-addr:
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("%s exited before listening:\n%s", bin, s.tail())
	case <-time.After(15 * time.Second):
	case <-ctx.Done():
	}
	_ = cmd.Process.Kill()
	<-s.exited
	return nil, fmt.Errorf("%s did not log \"listening\" within 15 s:\n%s", bin, s.tail())
}

func (s *server) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// stop sends SIGTERM, waits up to 30 s (then kills), and returns the exit
// code and how long the server took. Safe to call more than once.
func (s *server) stop() (int, time.Duration) {
	s.once.Do(func() {
		start := time.Now()
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		s.took = time.Since(start)
		s.code = s.cmd.ProcessState.ExitCode()
	})
	return s.code, s.took
}

// rss is the server's resident set size in bytes (VmRSS), hwm its peak
// (VmHWM); -1 if unknown.
func (s *server) rss() int64 { return procStatus(s.cmd.Process.Pid, "VmRSS:") }
func (s *server) hwm() int64 { return procStatus(s.cmd.Process.Pid, "VmHWM:") }

// cpu is the server's user+system CPU time so far (-1 if unknown).
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	// Fields after the command name (which may hold spaces) in parentheses:
	// utime and stime are the 14th and 15th fields, in clock ticks (100/s).
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(u+k) * 10 * time.Millisecond
}

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// --- sessions and calls ------------------------------------------------------------------------------

// newSession opens one streamable HTTP session: initialize, then
// notifications/initialized (sent by Initialize).
func newSession(ctx context.Context, url string, hc *http.Client) (*mcpclient.Client, error) {
	c, err := mcpclient.NewStreamableHttpClient(url,
		transport.WithHTTPBasicClient(hc),
		transport.WithHTTPHeaders(map[string]string{"x-api-key": apiKey}))
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// Pinned to the last protocol version with sessions (2025-11-25, what the
	// TypeScript SDK 1.32 speaks): with mcp.LATEST_PROTOCOL_VERSION
	// (2026-07-28) mcp-go's client and server go sessionless.
	_, err = c.Initialize(ictx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: mcp.LATEST_LEGACY_PROTOCOL_VERSION,
		ClientInfo:      mcp.Implementation{Name: "httpload", Version: "1.0.0"},
	}})
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("initialize: %w", err)
	}
	return c, nil
}

func createRun(ctx context.Context, c *mcpclient.Client) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	res, err := c.CallTool(cctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "run_task", Arguments: map[string]any{
		"prompt": "Find the first product on the page and return its title and price",
		"url":    "https://example.com/shop", "wait_for_completion": true, "timeout": 30,
	}}})
	if err != nil {
		return "", fmt.Errorf("run_task: %w", err)
	}
	run, err := runOf(res)
	if err != nil {
		return "", fmt.Errorf("run_task: %w", err)
	}
	if run.Status != "completed" {
		return "", fmt.Errorf("run_task: the run ended %q, not completed", run.Status)
	}
	return run.RunID, nil
}

type runResult struct {
	RunID  string `json:"run_id"`
	Status string `json:"status"`
}

func runOf(res *mcp.CallToolResult) (*runResult, error) {
	if res.IsError {
		var text []string
		for _, c := range res.Content {
			if t, ok := c.(mcp.TextContent); ok {
				text = append(text, t.Text)
			}
		}
		return nil, fmt.Errorf("tool error: %s", strings.Join(text, " "))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		return nil, err
	}
	var r runResult
	if err := json.Unmarshal(b, &r); err != nil || r.RunID == "" {
		return nil, fmt.Errorf("no run in the result: %s", trim(string(b), 200))
	}
	return &r, nil
}

type loadResult struct {
	calls, errors int64
	firstErr      error
	elapsed       time.Duration
	lat           []time.Duration
}

func (r loadResult) perSecond() float64 { return float64(r.calls) / r.elapsed.Seconds() }

// callLoad has every session call get_run on runID back to back until d has
// passed or maxCalls calls have started.
func callLoad(ctx context.Context, sessions []*mcpclient.Client, runID string, d time.Duration, maxCalls int64) loadResult {
	lctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var started, failed atomic.Int64
	var errOnce sync.Once
	var firstErr error
	lats := make([][]time.Duration, len(sessions))
	var wg sync.WaitGroup
	begin := time.Now()
	for i, c := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lats[i] = make([]time.Duration, 0, 4096)
			req := mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "get_run", Arguments: map[string]any{"run_id": runID}}}
			for lctx.Err() == nil && started.Add(1) <= maxCalls {
				t0 := time.Now()
				res, err := c.CallTool(lctx, req)
				lat := time.Since(t0)
				if err == nil {
					var run *runResult
					if run, err = runOf(res); err == nil && run.RunID != runID {
						err = fmt.Errorf("get_run answered run %s, asked %s", run.RunID, runID)
					}
				}
				if err != nil {
					if lctx.Err() != nil {
						return // the end of the phase cut this call short
					}
					failed.Add(1)
					errOnce.Do(func() { firstErr = err })
					continue
				}
				lats[i] = append(lats[i], lat)
			}
		}()
	}
	wg.Wait()
	r := loadResult{elapsed: time.Since(begin), errors: failed.Load(), firstErr: firstErr}
	for _, l := range lats {
		r.lat = append(r.lat, l...)
	}
	r.calls = int64(len(r.lat))
	return r
}

// openStreams opens the standalone GET event stream of each session (as the
// TypeScript SDK client does after initialize) and checks that the server
// accepted it. The returned cancel functions close them.
func openStreams(ctx context.Context, url string, hc *http.Client, sessions []*mcpclient.Client) ([]context.CancelFunc, error) {
	cancels := make([]context.CancelFunc, len(sessions))
	err := parallel(len(sessions), 50, func(i int) error {
		id := sessions[i].GetSessionId()
		if id == "" {
			return errors.New("a session without a session ID")
		}
		sctx, cancel := context.WithCancel(ctx)
		cancels[i] = cancel
		req, err := http.NewRequestWithContext(sctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Mcp-Session-Id", id)
		req.Header.Set("Mcp-Protocol-Version", mcp.LATEST_LEGACY_PROTOCOL_VERSION)
		req.Header.Set("x-api-key", apiKey)
		resp, err := hc.Do(req)
		if err != nil {
			return fmt.Errorf("GET event stream: %w", err)
		}
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			_ = resp.Body.Close()
			return fmt.Errorf("GET event stream: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
		}
		go func() { // drain keep-alives until closed
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}()
		return nil
	})
	return cancels, err
}

func closeStreams(cancels []context.CancelFunc) {
	for _, c := range cancels {
		if c != nil {
			c()
		}
	}
}

// closeAll closes sessions (each sends DELETE), a few at a time.
func closeAll(sessions []*mcpclient.Client) {
	_ = parallel(len(sessions), 50, func(i int) error {
		if sessions[i] != nil {
			_ = sessions[i].Close()
		}
		return nil
	})
}

// parallel runs f(0..n-1) with at most width at once and returns the first
// error.
func parallel(n, width int, f func(i int) error) error {
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(i); err != nil {
				once.Do(func() { first = err })
			}
		}()
	}
	wg.Wait()
	return first
}

// --- formatting --------------------------------------------------------------------------------------

// pct is the p-th percentile (nearest rank) of xs.
func pct(xs []time.Duration, p int) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return s[i-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }
func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/1e3) }
func mib(b int64) string        { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
func kib(b int64) string        { return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10)) }

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// loadAvg is the 1-minute load average, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func mcpGoVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/mark3labs/mcp-go" {
				return d.Version
			}
		}
	}
	return "(unknown version)"
}
