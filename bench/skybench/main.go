// Command skybench measures what a user comparing MCP servers would compare:
// cold start, the size of tools/list, per-call overhead over a direct REST
// call, peak memory and allocations per call. It prints one markdown table.
//
//	make bench                  # builds bin/skyvern-mcp, then: go run ./bench/skybench
//	go run ./bench/skybench -h  # flags
//
// Everything runs on loopback: the binary is exec'd with --sandbox (cold
// start, tools/list) or pointed with --base-url at a sandbox this program
// starts (per-call overhead and memory), so that the MCP path and the direct
// client path hit the same simulated Skyvern API.
package main

import (
	"github.com/skyvern-mcp/skyvern-mcp/bench/internal/stdioproc"

	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
	"github.com/skyvern-mcp/skyvern-mcp/tools"
)

const apiKey = "sk-bench-0000"

func main() {
	bin := flag.String("bin", "bin/skyvern-mcp", "the server binary")
	starts := flag.Int("starts", 30, "cold starts to time (>= 20)")
	calls := flag.Int("calls", 1000, "get_run calls per path (MCP and direct)")
	goBench := flag.Bool("gobench", true, "also run go test -bench on the in-process dispatch path for allocations per call")
	readme := flag.String("readme", "", "also write the table into this file between "+startMarker+" and "+endMarker)
	flag.Parse()
	if err := run(*bin, *starts, *calls, *goBench, *readme); err != nil {
		fmt.Fprintln(os.Stderr, "skybench:", err)
		os.Exit(1)
	}
}

type row struct{ metric, value, note string }

// The README's Performance table sits between these markers; -readme
// rewrites what is between them.
const (
	startMarker = "<!-- bench:start -->"
	endMarker   = "<!-- bench:end -->"
)

func run(bin string, starts, calls int, goBench bool, readme string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", bin, err)
	}
	var rows []row
	add := func(metric, value, note string) { rows = append(rows, row{metric, value, note}) }

	// Cold start: exec → initialize answered, and → tools/list answered.
	var toInit, toList []time.Duration
	var idleRSS []int64
	defaultTools := 0
	for i := 0; i < starts; i++ {
		p, err := stdioproc.Spawn(bin, nil, "--sandbox")
		if err != nil {
			return err
		}
		if _, err := p.Initialize("skybench"); err != nil {
			p.Close()
			return fmt.Errorf("cold start %d: %w", i, err)
		}
		toInit = append(toInit, time.Since(p.Started))
		idleRSS = append(idleRSS, p.HWM())
		list, err := p.Request("tools/list", nil)
		if err != nil {
			p.Close()
			return fmt.Errorf("cold start %d: %w", i, err)
		}
		toList = append(toList, time.Since(p.Started))
		defaultTools = bytes.Count(list, []byte(`"inputSchema"`))
		p.Close()
	}
	add("Cold start: exec → `initialize` answered", fmt.Sprintf("median %s, p90 %s", ms(pct(toInit, 50)), ms(pct(toInit, 90))), fmt.Sprintf("`--sandbox`, default toolsets (%d tools), %d runs", defaultTools, starts))
	add("Cold start: exec → `tools/list` answered", fmt.Sprintf("median %s, p90 %s", ms(pct(toList, 50)), ms(pct(toList, 90))), fmt.Sprintf("`--sandbox`, default toolsets (%d tools), %d runs", defaultTools, starts))

	// tools/list size, all toolsets and each one.
	sets := append([]string{"all"}, tools.Toolsets()...)
	for _, ts := range sets {
		p, err := stdioproc.Spawn(bin, nil, "--sandbox", "--toolsets", ts)
		if err != nil {
			return err
		}
		_, err = p.Initialize("skybench")
		var raw []byte
		if err == nil {
			raw, err = p.Request("tools/list", nil)
		}
		p.Close()
		if err != nil {
			return fmt.Errorf("tools/list --toolsets %s: %w", ts, err)
		}
		var res struct {
			Result struct {
				Tools []json.RawMessage `json:"tools"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			return err
		}
		add(fmt.Sprintf("`tools/list` size, `--toolsets %s`", ts), fmt.Sprintf("%s bytes ≈ %s tokens", thousands(len(raw)), thousands(len(raw)/4)),
			fmt.Sprintf("%d tools; whole JSON-RPC response line", len(res.Result.Tools)))
	}

	// Per-call overhead against one sandbox this process serves.
	sb := sandbox.New(sandbox.Options{APIKey: apiKey, RunDuration: -1, RecordingSize: 20 << 20})
	url, shutdown, err := sb.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer func() { _ = shutdown(context.Background()) }()
	ctx := context.Background()
	c, err := client.New(client.WithBaseURL(url), client.WithAPIKey(apiKey))
	if err != nil {
		return err
	}
	r, err := c.RunTask(ctx, &client.TaskRunRequest{Prompt: "benchmark run"})
	if err != nil {
		return err
	}
	// SKYVERN_MAX_RESOURCE_BYTES lets a server with resources send the 20 MB
	// recording (base64) whole; a server without resources ignores it.
	p, err := stdioproc.Spawn(bin, []string{"SKYVERN_API_KEY=" + apiKey, "SKYVERN_MAX_RESOURCE_BYTES=" + strconv.Itoa(32<<20)}, "--base-url", url)
	if err != nil {
		return err
	}
	defer p.Close()
	initRes, err := p.Initialize("skybench")
	if err != nil {
		return err
	}
	hasResources := bytes.Contains(initRes, []byte(`"resources":{`))
	idleAPI := p.HWM()
	args := map[string]any{"name": "get_run", "arguments": map[string]any{"run_id": r.RunID}}
	mcpCall := func() error {
		raw, err := p.Request("tools/call", args)
		if err != nil {
			return err
		}
		if bytes.Contains(raw, []byte(`"isError":true`)) {
			return fmt.Errorf("get_run failed: %s", raw)
		}
		return nil
	}
	direct := func() error { _, err := c.GetRun(ctx, r.RunID); return err }
	for i := 0; i < 100; i++ { // warm up both paths (connections, validators)
		if err := mcpCall(); err != nil {
			return err
		}
		if err := direct(); err != nil {
			return err
		}
	}
	var pings []time.Duration
	for i := 0; i < calls; i++ { // the stdio transport alone: JSON-RPC ping
		t0 := time.Now()
		if _, err := p.Request("ping", nil); err != nil {
			return err
		}
		pings = append(pings, time.Since(t0))
	}
	var viaMCP, viaREST []time.Duration
	for i := 0; i < calls; i++ { // interleaved, so both see the same machine state
		t0 := time.Now()
		if err := mcpCall(); err != nil {
			return err
		}
		viaMCP = append(viaMCP, time.Since(t0))
		t0 = time.Now()
		if err := direct(); err != nil {
			return err
		}
		viaREST = append(viaREST, time.Since(t0))
	}
	m50, m99, d50, d99 := pct(viaMCP, 50), pct(viaMCP, 99), pct(viaREST, 50), pct(viaREST, 99)
	add("`get_run` through MCP (stdio → server → HTTP)", fmt.Sprintf("p50 %s, p99 %s", us(m50), us(m99)), fmt.Sprintf("%d calls; API mode (`--base-url`, default toolsets) against a sandbox this benchmark serves over loopback HTTP", calls))
	add("`get_run` direct REST (client package)", fmt.Sprintf("p50 %s, p99 %s", us(d50), us(d99)), fmt.Sprintf("%d calls to the same sandbox, without MCP", calls))
	add("Per-call overhead of MCP", fmt.Sprintf("p50 +%s (×%.2f), p99 +%s (×%.2f)", us(m50-d50), ratio(m50, d50), us(m99-d99), ratio(m99, d99)),
		"includes the JSON-RPC round trip over pipes")
	add("MCP `ping` round trip over stdio", fmt.Sprintf("p50 %s, p99 %s", us(pct(pings, 50)), us(pct(pings, 99))), "the transport alone: pipes, JSON-RPC framing")
	afterCalls := p.HWM()

	// A 20 MB recording through get_artifact: its metadata, not its bytes.
	arts, err := c.GetRunArtifacts(ctx, r.RunID, client.ArtifactRecording)
	if err != nil || len(arts) == 0 {
		return fmt.Errorf("no recording artifact: %v", err)
	}
	raw, err := p.Request("tools/call", map[string]any{"name": "get_artifact", "arguments": map[string]any{"artifact_id": arts[0].ArtifactID}})
	if err != nil {
		return err
	}
	var ar struct {
		Result struct {
			StructuredContent struct {
				FileSize    int64 `json:"file_size"`
				InlineImage bool  `json:"inline_image"`
			} `json:"structuredContent"`
		} `json:"result"`
	}
	_ = json.Unmarshal(raw, &ar)
	afterRecording := p.HWM()

	recordingRow := func() {}
	if hasResources {
		t0 := time.Now()
		raw, err := p.Request("resources/read", map[string]any{"uri": "skyvern://runs/" + r.RunID + "/recording"})
		took := time.Since(t0)
		hwm := p.HWM()
		note := fmt.Sprintf("`resources/read skyvern://runs/{id}/recording`: %s bytes answered in %s", thousands(len(raw)), ms(took))
		if err != nil {
			msg := err.Error()
			if m := regexp.MustCompile(`"message":"([^"]*)"`).FindStringSubmatch(msg); m != nil {
				msg = m[1]
			}
			note = "`resources/read skyvern://runs/{id}/recording` refused: " + trim(msg, 140)
		}
		recordingRow = func() { add("Peak RSS while reading a 20 MiB recording resource", mib(hwm), note) }
	}
	add("Peak RSS, idle after `initialize`", fmt.Sprintf("%s (`--sandbox`: %s)", mib(idleAPI), mib(pct(idleRSS, 50))), "VmHWM of the child; API mode, and with the embedded sandbox")
	add(fmt.Sprintf("Peak RSS after %d tool calls", calls+100), mib(afterCalls), "`get_run` over stdio, API mode")
	add("Peak RSS after a 20 MiB recording via `get_artifact`", mib(afterRecording),
		fmt.Sprintf("%s MB artifact; get_artifact answers its metadata and signed_url (inline image: %t), the bytes are the resource", strconv.FormatFloat(float64(ar.Result.StructuredContent.FileSize)/1e6, 'f', 1, 64), ar.Result.StructuredContent.InlineImage))
	recordingRow()

	if goBench {
		out, err := exec.Command("go", "test", "-run", "^$", "-bench", "^BenchmarkDispatch", "-benchmem", "-benchtime", "2000x", "./tools/").CombinedOutput()
		if err != nil {
			return fmt.Errorf("go test -bench: %v\n%s", err, out)
		}
		re := regexp.MustCompile(`(?m)^(BenchmarkDispatch\S*)\s+\d+\s+([\d.]+) ns/op\s+(\d+) B/op\s+(\d+) allocs/op`)
		for _, m := range re.FindAllStringSubmatch(string(out), -1) {
			name := strings.TrimPrefix(m[1], "Benchmark")
			name = regexp.MustCompile(`-\d+$`).ReplaceAllString(name, "")
			ns, _ := strconv.ParseFloat(m[2], 64)
			add("In-process "+name, fmt.Sprintf("%s allocs, %s B, %.0f µs per call", m[4], thousands(atoi(m[3])), ns/1e3),
				"`go test -bench -benchmem ./tools/`, httptest sandbox")
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "Measured by `make bench` on %s: %s, %d cores (%s/%s, %s), load average %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), loadAverage())
	out.WriteString("| Metric | Value | Notes |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&out, "| %s | %s | %s |\n", r.metric, r.value, r.note)
	}
	fmt.Print(out.String())
	if readme != "" {
		return writeBetweenMarkers(readme, out.String())
	}
	return nil
}

// writeBetweenMarkers replaces what is between startMarker and endMarker in
// file with table.
func writeBetweenMarkers(file, table string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	doc := string(raw)
	i, j := strings.Index(doc, startMarker), strings.Index(doc, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s ... %s block", file, startMarker, endMarker)
	}
	doc = doc[:i+len(startMarker)] + "\n" + table + doc[j:]
	return os.WriteFile(file, []byte(doc), 0o644)
}

// loadAverage is /proc/loadavg's 1-minute figure ("unknown" elsewhere):
// timings on a busy machine are slower.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

func pct[T int64 | time.Duration](xs []T, p int) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100 // nearest rank
	if i < 1 {
		i = 1
	}
	return s[i-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/1e3) }
func mib(b int64) string        { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
