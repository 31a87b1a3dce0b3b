// Command replicas measures skyvern-mcp replicas sharing state in Redis
// (--redis-url) behind a round-robin reverse proxy without stickiness
// (net/http/httputil), against one shared Skyvern simulator
// (bin/skyvern-sandbox), all on loopback in one run:
//
//   - calls/s, p50 and p99 of get_run from N concurrent sessions, for one
//     replica without Redis, one with Redis and three with Redis;
//   - with Redis: memory per 1,000 idle sessions (Redis INFO used_memory
//     delta and the replicas' RSS delta) and Redis keys per session;
//   - the time for a task to be taken over after its replica is killed
//     (SIGKILL): from the kill to the first tasks/get whose status message
//     moved again.
//
// It needs redis-server. Run it with `go run ./bench/replicas` after
// `make build`; not part of make test.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	"github.com/redis/go-redis/v9"
)

const apiKey = "bench-replicas-key-7a1e"

type options struct {
	bin, sandbox, redisBin string
	sessions, idle, trials int
	duration               time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/skyvern-mcp", "the server binary")
	flag.StringVar(&o.sandbox, "sandbox", "bin/skyvern-sandbox", "the standalone simulator binary")
	flag.StringVar(&o.redisBin, "redis-server", "redis-server", "the redis-server binary")
	flag.IntVar(&o.sessions, "sessions", 20, "concurrent sessions calling get_run")
	flag.DurationVar(&o.duration, "duration", 8*time.Second, "how long each load phase lasts")
	flag.IntVar(&o.idle, "idle", 1000, "idle sessions opened for the memory figure")
	flag.IntVar(&o.trials, "takeover-trials", 3, "replicas killed mid-task for the takeover figure")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		os.Exit(1)
	}
}

type proc struct {
	cmd     *exec.Cmd
	addr    string
	mu      sync.Mutex
	log     []string
	replica string
}

func start(bin string, env []string, args ...string) (*proc, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(abs, args...)
	cmd.Dir = os.TempDir()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "SKYVERN_") && k != "MCP_AUTH_TOKEN" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var rec struct{ Message, Addr, Replica string }
			line := sc.Text()
			p.mu.Lock()
			p.log = append(p.log, line)
			p.mu.Unlock()
			if json.Unmarshal([]byte(line), &rec) == nil {
				if rec.Replica != "" {
					p.mu.Lock()
					p.replica = rec.Replica
					p.mu.Unlock()
				}
				if rec.Message == "listening" && rec.Addr != "" {
					addr <- rec.Addr
				}
			}
		}
	}()
	select {
	case p.addr = <-addr:
		return p, nil
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not listen", bin)
	}
}

func (p *proc) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

func (p *proc) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n << 10
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// proxy is a round-robin reverse proxy without stickiness. A backend that
// refuses the connection (it died) is skipped, as a balancer's health check
// would; a request that reached a backend is never sent again.
func proxy(backends []string) (string, func(), error) {
	var next atomic.Uint64
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			u, _ := url.Parse("http://" + backends[0])
			r.SetURL(u)
		},
		FlushInterval: -1,
		Transport:     &roundRobin{backends: backends, next: &next, base: &http.Transport{MaxIdleConnsPerHost: 256}},
		ErrorLog:      log.New(io.Discard, "", 0),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: rp}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

type roundRobin struct {
	backends []string
	next     *atomic.Uint64
	base     http.RoundTripper
}

func (rr *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	start := rr.next.Add(1)
	var err error
	for i := range uint64(len(rr.backends)) {
		r := req.Clone(req.Context())
		r.URL.Host = rr.backends[(start+i)%uint64(len(rr.backends))]
		r.Host = r.URL.Host
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		var resp *http.Response
		if resp, err = rr.base.RoundTrip(r); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
			return resp, err
		}
	}
	return nil, err
}

type deployment struct {
	replicas []*proc
	url      string
	stop     func()
}

func deploy(o options, n int, sandboxURL, redisURL string) (*deployment, error) {
	d := &deployment{}
	var addrs []string
	for range n {
		args := []string{"--transport", "http", "--addr", "127.0.0.1:0", "--base-url", sandboxURL, "--max-sessions-per-caller", "20000", "--log-level", "info"}
		if redisURL != "" {
			args = append(args, "--redis-url", redisURL)
		}
		p, err := start(o.bin, []string{"SKYVERN_API_KEY=" + apiKey}, args...)
		if err != nil {
			return nil, err
		}
		d.replicas = append(d.replicas, p)
		addrs = append(addrs, p.addr)
	}
	u, stop, err := proxy(addrs)
	if err != nil {
		return nil, err
	}
	d.url = u + "/mcp"
	d.stop = func() {
		stop()
		for _, p := range d.replicas {
			p.stop()
		}
	}
	return d, nil
}

func run(o options) error {
	ctx := context.Background()
	redisBin, err := exec.LookPath(o.redisBin)
	if err != nil {
		return fmt.Errorf("needs redis-server (Debian package redis-server): %w", err)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-redis-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	rcmd := exec.Command(redisBin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := rcmd.Start(); err != nil {
		return err
	}
	defer func() { _ = rcmd.Process.Kill(); _ = rcmd.Wait() }()
	redisURL := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	ropts, _ := redis.ParseURL(redisURL)
	rdb := redis.NewClient(ropts)
	defer func() { _ = rdb.Close() }()
	for i := 0; rdb.Ping(ctx).Err() != nil; i++ {
		if i > 100 {
			return errors.New("redis-server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	sb, err := start(o.sandbox, nil, "--addr", "127.0.0.1:0", "--run-seconds", "6")
	if err != nil {
		return err
	}
	defer sb.stop()
	sandboxURL := "http://" + sb.addr

	fmt.Printf("skyvern-mcp replicas on loopback, %d concurrent sessions calling get_run for %s, %s\n\n", o.sessions, o.duration, cpuInfo())
	fmt.Println("| setup | calls/s | p50 | p99 | errors |")
	fmt.Println("|---|---|---|---|---|")
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	for _, c := range []struct {
		name  string
		n     int
		redis bool
	}{{"1 replica, in memory (no Redis)", 1, false}, {"1 replica, Redis", 1, true}, {"3 replicas, Redis, round-robin proxy", 3, true}} {
		ru := ""
		if c.redis {
			ru = redisURL
		}
		d, err := deploy(o, c.n, sandboxURL, ru)
		if err != nil {
			return err
		}
		res, err := load(ctx, d.url, hc, o)
		if err != nil {
			d.stop()
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Printf("| %s | %.0f | %s | %s | %d |\n", c.name, float64(len(res.lat))/res.elapsed.Seconds(), ms(pct(res.lat, 50)), ms(pct(res.lat, 99)), res.errors)
		if c.n == 3 {
			defer func() {
				if err := idle(ctx, d, rdb, hc, o); err != nil {
					fmt.Println("idle sessions:", err)
				}
				d.stop()
				takeover(ctx, o, sandboxURL, redisURL, rdb)
			}()
			continue
		}
		d.stop()
	}
	return nil
}

type loadResult struct {
	lat     []time.Duration
	errors  int64
	elapsed time.Duration
}

func newSession(ctx context.Context, u string, hc *http.Client) (*mcpclient.Client, error) {
	c, err := mcpclient.NewStreamableHttpClient(u, transport.WithHTTPBasicClient(hc))
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	_, err = c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ProtocolVersion: mcp.LATEST_LEGACY_PROTOCOL_VERSION,
		ClientInfo:      mcp.Implementation{Name: "bench-replicas", Version: "1"},
	}})
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

func load(ctx context.Context, u string, hc *http.Client, o options) (loadResult, error) {
	sessions := make([]*mcpclient.Client, o.sessions)
	for i := range sessions {
		c, err := newSession(ctx, u, hc)
		if err != nil {
			return loadResult{}, err
		}
		sessions[i] = c
	}
	defer func() {
		for _, c := range sessions {
			_ = c.Close()
		}
	}()
	res, err := sessions[0].CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "run_task", Arguments: map[string]any{"prompt": "bench"}}})
	if err != nil {
		return loadResult{}, err
	}
	runID, _ := res.StructuredContent.(map[string]any)["run_id"].(string)
	if runID == "" {
		return loadResult{}, fmt.Errorf("no run: %v", res.Content)
	}
	lctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	lats := make([][]time.Duration, len(sessions))
	var failed atomic.Int64
	var wg sync.WaitGroup
	begin := time.Now()
	for i, c := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "get_run", Arguments: map[string]any{"run_id": runID}}}
			for lctx.Err() == nil {
				t0 := time.Now()
				r, err := c.CallTool(lctx, req)
				if err != nil || r.IsError {
					if lctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				lats[i] = append(lats[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	out := loadResult{elapsed: time.Since(begin), errors: failed.Load()}
	for _, l := range lats {
		out.lat = append(out.lat, l...)
	}
	if len(out.lat) == 0 {
		return out, errors.New("no call succeeded")
	}
	return out, nil
}

func usedMemory(ctx context.Context, rdb *redis.Client) int64 {
	info := rdb.Info(ctx, "memory").Val()
	m := regexp.MustCompile(`used_memory:(\d+)`).FindStringSubmatch(info)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// idle opens o.idle sessions (initialize, as the TypeScript SDK's first
// request) through the proxy and reports what they cost.
func idle(ctx context.Context, d *deployment, rdb *redis.Client, hc *http.Client, o options) error {
	time.Sleep(time.Second)
	keys0 := rdb.DBSize(ctx).Val()
	mem0 := usedMemory(ctx, rdb)
	var rss0 int64
	for _, p := range d.replicas {
		rss0 += p.rss()
	}
	sessions := make([]*mcpclient.Client, o.idle)
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for i := range sessions {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			c, err := newSession(ctx, d.url, hc)
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			sessions[i] = c
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	time.Sleep(1500 * time.Millisecond)
	keys1 := rdb.DBSize(ctx).Val()
	mem1 := usedMemory(ctx, rdb)
	var rss1 int64
	for _, p := range d.replicas {
		rss1 += p.rss()
	}
	var sample []string
	for _, k := range rdb.Keys(ctx, "*").Val() {
		if len(sample) < 6 {
			sample = append(sample, k[:min(len(k), 24)]+"…")
		}
	}
	per := float64(o.idle) / 1000
	fmt.Printf("\n%d idle sessions through the proxy (3 replicas, Redis):\n", o.idle)
	fmt.Printf("- Redis used_memory: +%s per 1,000 sessions\n", kib(int64(float64(mem1-mem0)/per)))
	fmt.Printf("- replicas' RSS (sum of 3): +%s per 1,000 sessions\n", mib(int64(float64(rss1-rss0)/per)))
	fmt.Printf("- Redis keys: %d -> %d, %.2f per idle session (e.g. %s)\n", keys0, keys1, float64(keys1-keys0)/float64(o.idle), strings.Join(sample, " "))
	for _, c := range sessions {
		_ = c.Close()
	}
	return nil
}

// rpc posts one JSON-RPC message and returns its answer (JSON or a
// one-event SSE stream).
func rpc(ctx context.Context, u, session string, body any) (map[string]any, string, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusAccepted {
		return nil, resp.Header.Get("Mcp-Session-Id"), nil
	}
	if i := bytes.Index(raw, []byte("data: ")); i >= 0 {
		raw = raw[i+6:]
		if j := bytes.IndexByte(raw, '\n'); j >= 0 {
			raw = raw[:j]
		}
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, "", fmt.Errorf("%d: %s", resp.StatusCode, raw)
	}
	return out, resp.Header.Get("Mcp-Session-Id"), nil
}

// takeover kills the replica running a task and times how long until
// another moves the task on.
func takeover(ctx context.Context, o options, sandboxURL, redisURL string, rdb *redis.Client) {
	var times []time.Duration
	for range o.trials {
		d, err := deploy(o, 3, sandboxURL, redisURL)
		if err != nil {
			fmt.Println("takeover:", err)
			return
		}
		t, err := takeoverOnce(ctx, d, rdb)
		d.stop()
		if err != nil {
			fmt.Println("takeover:", err)
			return
		}
		times = append(times, t)
	}
	slices.Sort(times)
	var s []string
	for _, t := range times {
		s = append(s, ms(t))
	}
	fmt.Printf("\ntask takeover after SIGKILL of its replica (lease %s, client polling every 100 ms), %d trials: %s\n", "3 s", len(times), strings.Join(s, ", "))
}

func takeoverOnce(ctx context.Context, d *deployment, rdb *redis.Client) (time.Duration, error) {
	_, session, err := rpc(ctx, d.url, "", map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"protocolVersion": mcp.LATEST_LEGACY_PROTOCOL_VERSION, "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "bench", "version": "1"}}})
	if err != nil || session == "" {
		return 0, fmt.Errorf("initialize: %v", err)
	}
	if _, _, err := rpc(ctx, d.url, session, map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"}); err != nil {
		return 0, err
	}
	out, _, err := rpc(ctx, d.url, session, map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": map[string]any{
		"name": "run_task", "arguments": map[string]any{"prompt": "takeover"}, "task": map[string]any{"ttl": 120000}}})
	if err != nil {
		return 0, err
	}
	task, _ := out["result"].(map[string]any)["task"].(map[string]any)
	id, _ := task["taskId"].(string)
	if id == "" {
		return 0, fmt.Errorf("no task: %v", out)
	}
	get := func() (string, error) {
		out, _, err := rpc(ctx, d.url, session, map[string]any{"jsonrpc": "2.0", "id": 3, "method": "tasks/get", "params": map[string]any{"taskId": id}})
		if err != nil {
			return "", err
		}
		r, _ := out["result"].(map[string]any)
		return fmt.Sprint(r["status"], " ", r["statusMessage"]), nil
	}
	var before string
	for i := 0; ; i++ {
		if before, err = get(); err != nil {
			return 0, err
		}
		if strings.Contains(before, "step ") || i > 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	owner := rdb.Get(ctx, "skyvern-mcp:tl:"+id).Val()
	var victim *proc
	for _, p := range d.replicas {
		p.mu.Lock()
		if p.replica == owner {
			victim = p
		}
		p.mu.Unlock()
	}
	if victim == nil {
		return 0, errors.New("no replica holds the task's lease")
	}
	_ = victim.cmd.Process.Kill()
	_ = victim.cmd.Wait()
	killed := time.Now()
	d.replicas = slices.DeleteFunc(d.replicas, func(p *proc) bool { return p == victim })
	// The baseline is read after the kill: nothing but a takeover moves it.
	if before, err = get(); err != nil {
		return 0, err
	}
	for time.Since(killed) < 20*time.Second {
		now, err := get()
		if err == nil && now != before {
			return time.Since(killed), nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, errors.New("the task did not move within 20 s")
}

func pct(xs []time.Duration, p int) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := max((len(s)*p+99)/100, 1)
	return s[i-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
func kib(b int64) string        { return fmt.Sprintf("%.0f KiB", float64(b)/(1<<10)) }
func mib(b int64) string        { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func cpuInfo() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	n := strings.Count(string(b), "processor\t:")
	la, _ := os.ReadFile("/proc/loadavg")
	return fmt.Sprintf("%d CPUs, load %s", n, strings.Join(strings.Fields(string(la))[:3], " "))
}
