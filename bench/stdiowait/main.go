// Command stdiowait measures, over stdio, how long a quick tools/call
// (get_run) takes while many wait_for_completion calls are in flight, and
// the longest gap between the progress notifications of those waits.
//
//	make build && go run ./bench/stdiowait              # 20 waits, default --wait-timeout (45 s): ~50 s
//	go run ./bench/stdiowait -waits 20 -gaps=false      # latency only: a few seconds
//
// It execs the binary with --sandbox and an hour-long sandbox run duration,
// so that no waited run finishes: each wait lasts its whole bound. Before
// the fix (mcp-go's default pool of 5 stdio workers) a call behind 5 waits
// waited for one of them to end (up to its whole wait).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/skyvern-mcp", "the server binary")
	waits := flag.Int("waits", 20, "wait_for_completion calls in flight")
	calls := flag.Int("calls", 50, "get_run calls to time, one after the other, with no waits and then behind the waits")
	gaps := flag.Bool("gaps", true, "keep going until the waits end (their --wait-timeout) and report the longest gap between progress notifications")
	waitTimeout := flag.String("wait-timeout", "", "pass --wait-timeout to the server (default: the server's, 45 s)")
	flag.Parse()
	if err := run(*bin, *waits, *calls, *gaps, *waitTimeout); err != nil {
		fmt.Fprintln(os.Stderr, "stdiowait:", err)
		os.Exit(1)
	}
}

type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		ProgressToken any     `json:"progressToken"`
		Progress      float64 `json:"progress"`
	} `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
	at     time.Time
}

type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	wmu   sync.Mutex

	mu       sync.Mutex
	waiters  map[string]chan *message
	progress map[string][]time.Time // by progress token
	nextID   int
}

func start(bin string, args ...string) (*proc, error) {
	p := &proc{waiters: map[string]chan *message{}, progress: map[string][]time.Time{}}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stderr = io.Discard
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			m := &message{at: time.Now()}
			if json.Unmarshal(sc.Bytes(), m) != nil {
				continue
			}
			p.mu.Lock()
			if m.Method == "notifications/progress" {
				tok := fmt.Sprint(m.Params.ProgressToken)
				p.progress[tok] = append(p.progress[tok], m.at)
			} else if ch, ok := p.waiters[string(m.ID)]; ok {
				delete(p.waiters, string(m.ID))
				ch <- m
			}
			p.mu.Unlock()
		}
	}()
	return p, nil
}

// send sends a request and returns the channel of its answer.
func (p *proc) send(method string, params any) (chan *message, error) {
	p.mu.Lock()
	p.nextID++
	id := strconv.Itoa(p.nextID)
	ch := make(chan *message, 1)
	p.waiters[id] = ch
	p.mu.Unlock()
	b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": p.nextID, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err = p.stdin.Write(append(b, '\n'))
	return ch, err
}

func (p *proc) call(method string, params any, timeout time.Duration) (*message, error) {
	ch, err := p.send(method, params)
	if err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if len(m.Error) > 0 {
			return m, fmt.Errorf("%s: %s", method, m.Error)
		}
		return m, nil
	case <-time.After(timeout):
		return nil, fmt.Errorf("%s: no answer within %s", method, timeout)
	}
}

func (p *proc) progressCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, ts := range p.progress {
		if len(ts) > 0 {
			n++
		}
	}
	return n
}

func run(bin string, waits, calls int, gaps bool, waitTimeout string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", bin, err)
	}
	args := []string{"--sandbox", "--sandbox-run-seconds", "3600", "--log-level", "error"}
	if waitTimeout != "" {
		args = append(args, "--wait-timeout", waitTimeout)
	}
	p, err := start(bin, args...)
	if err != nil {
		return err
	}
	defer func() { _ = p.stdin.Close(); _ = p.cmd.Wait() }()
	if _, err := p.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "stdiowait", "version": "1"}}, 10*time.Second); err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	_, _ = p.stdin.Write(append(b, '\n'))
	m, err := p.call("tools/call", map[string]any{"name": "run_task", "arguments": map[string]any{"prompt": "a run to read"}}, 10*time.Second)
	if err != nil {
		return err
	}
	var res struct {
		StructuredContent struct {
			RunID string `json:"run_id"`
		} `json:"structuredContent"`
	}
	if err := json.Unmarshal(m.Result, &res); err != nil || res.StructuredContent.RunID == "" {
		return fmt.Errorf("run_task: no run_id in %s", m.Result)
	}
	getRun := map[string]any{"name": "get_run", "arguments": map[string]any{"run_id": res.StructuredContent.RunID}}
	timeCalls := func() ([]time.Duration, error) {
		var ds []time.Duration
		for range calls {
			t0 := time.Now()
			if _, err := p.call("tools/call", getRun, 120*time.Second); err != nil {
				return nil, err
			}
			ds = append(ds, time.Since(t0))
		}
		slices.Sort(ds)
		return ds, nil
	}
	idle, err := timeCalls()
	if err != nil {
		return err
	}

	// The waits, each with its own progress token.
	sent := time.Now()
	done := make([]chan *message, waits)
	for i := range waits {
		if done[i], err = p.send("tools/call", map[string]any{"name": "run_task",
			"arguments": map[string]any{"prompt": "wait " + strconv.Itoa(i), "wait_for_completion": true},
			"_meta":     map[string]any{"progressToken": "w" + strconv.Itoa(i)}}); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for p.progressCount() < waits && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	started := p.progressCount()
	behind, err := timeCalls()
	if err != nil {
		return err
	}
	ended := 0
	for _, ch := range done {
		select {
		case <-ch:
			ended++
		default:
		}
	}

	fmt.Printf("| Metric | Value |\n|---|---|\n")
	fmt.Printf("| waits in flight (sent progress) | %d of %d |\n", started, waits)
	fmt.Printf("| get_run over stdio, no waits (p50 / p99 / max of %d) | %s / %s / %s |\n", calls, ms(pct(idle, 50)), ms(pct(idle, 99)), ms(idle[len(idle)-1]))
	fmt.Printf("| get_run over stdio behind %d waits (p50 / p99 / max of %d) | %s / %s / %s |\n", waits, calls, ms(pct(behind, 50)), ms(pct(behind, 99)), ms(behind[len(behind)-1]))
	fmt.Printf("| waits that ended during those calls | %d |\n", ended)
	if !gaps {
		return nil
	}
	var longest, waited time.Duration
	for i, ch := range done {
		select {
		case m := <-ch:
			waited = max(waited, m.at.Sub(sent))
		case <-time.After(120 * time.Second):
			return errors.New("a wait did not end within 120 s")
		}
		p.mu.Lock()
		ts := append([]time.Time{sent}, p.progress["w"+strconv.Itoa(i)]...)
		p.mu.Unlock()
		for j := 1; j < len(ts); j++ {
			longest = max(longest, ts[j].Sub(ts[j-1]))
		}
	}
	fmt.Printf("| longest wait (result with the run still going) | %.1f s |\n", waited.Seconds())
	fmt.Printf("| longest gap between progress notifications of a wait | %.2f s |\n", longest.Seconds())
	return nil
}

func pct(xs []time.Duration, p int) time.Duration {
	i := (len(xs)*p + 99) / 100
	if i > 0 {
		i--
	}
	return xs[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
