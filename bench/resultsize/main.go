// Command resultsize measures what issue 14 is about, on the built binary
// over stdio (bin/skyvern-mcp --sandbox, loopback only). First, the bytes of
// the JSON-RPC responses to run_task and get_run for a run whose output is
// about 11 MB (the sandbox makes it from a data_extraction_schema with
// minItems), and of reading its skyvern://runs/{run_id}/output resource.
// Then the peak resident set size (VmHWM) of the server reading its run
// recording as the skyvern://runs/{run_id}/recording resource, for each
// recording size, in a fresh process each time.
//
//	make build && go run ./bench/resultsize   # 7 MiB and 20 MiB recordings
//	go run ./bench/resultsize -sizes 1,7,20 -bin bin/skyvern-mcp
//
// It prints one markdown table. Peak RSS is the child's VmHWM from
// /proc/<pid>/status: after the run finished (before the read) and after
// the read; "added" is the difference, and the ratio divides it by the
// recording size.
package main

import (
	"github.com/skyvern-mcp/skyvern-mcp/bench/internal/stdioproc"

	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/skyvern-mcp", "the server binary")
	sizes := flag.String("sizes", "7,20", "comma-separated recording sizes in MiB")
	outputMB := flag.Int("output-mb", 11, "size of the run output for the get_run measurement, in MB (0: skip)")
	flag.Parse()
	if err := run(*bin, *sizes, *outputMB); err != nil {
		fmt.Fprintln(os.Stderr, "resultsize:", err)
		os.Exit(1)
	}
}

func run(bin, sizes string, outputMB int) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", bin, err)
	}
	fmt.Println("| Measurement | Value | Notes |")
	fmt.Println("|---|---|---|")
	if outputMB > 0 {
		if err := measureOutput(bin, outputMB); err != nil {
			return err
		}
	}
	for _, s := range strings.Split(sizes, ",") {
		mb, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || mb <= 0 {
			return fmt.Errorf("-sizes: %q is not a whole number of MiB", s)
		}
		if err := measureRecording(bin, int64(mb)<<20); err != nil {
			return err
		}
	}
	return nil
}

// bigOutputSchema asks the sandbox for an output of about mb MB: an array
// of 1,000-character strings.
func bigOutputSchema(mb int) map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{
		"rows": map[string]any{"type": "array", "minItems": mb * 1000, "items": map[string]any{"type": "string", "minLength": 1000}},
	}}
}

func measureOutput(bin string, mb int) error {
	p, err := stdioproc.Spawn(bin, nil, "--sandbox", "--sandbox-run-seconds", "0")
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.Initialize("resultsize"); err != nil {
		return err
	}
	raw, err := p.Request("tools/call", map[string]any{"name": "run_task", "arguments": map[string]any{
		"prompt": "extract a big table", "data_extraction_schema": bigOutputSchema(mb), "wait_for_completion": true}})
	if err != nil {
		return err
	}
	runID := string(find(raw, `"run_id":"`, `"`))
	if runID == "" {
		return fmt.Errorf("run_task returned no run_id: %.300s", raw)
	}
	row("`run_task` (wait) response, ~"+strconv.Itoa(mb)+" MB output", thousands(len(raw))+" bytes", resultNote(raw))
	raw, err = p.Request("tools/call", map[string]any{"name": "get_run", "arguments": map[string]any{"run_id": runID}})
	if err != nil {
		return err
	}
	row("`get_run` response, ~"+strconv.Itoa(mb)+" MB output", thousands(len(raw))+" bytes", resultNote(raw))
	if bytes.Contains(raw, []byte("skyvern://runs/"+runID+"/output")) {
		t0 := time.Now()
		raw, err := p.Request("resources/read", map[string]any{"uri": "skyvern://runs/" + runID + "/output"})
		note := fmt.Sprintf("in %.0f ms", float64(time.Since(t0))/1e6)
		if err != nil {
			note = "error: " + trim(err.Error(), 160)
		}
		row("`resources/read skyvern://runs/{id}/output` response", thousands(len(raw))+" bytes", note)
	}
	return nil
}

func resultNote(raw []byte) string {
	var r struct {
		Result struct {
			IsError bool `json:"isError"`
			Content []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"content"`
			Structured json.RawMessage `json:"structuredContent"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "not JSON: " + err.Error()
	}
	var parts []string
	for _, c := range r.Result.Content {
		parts = append(parts, fmt.Sprintf("%s %s B", c.Type, thousands(len(c.Text))))
	}
	return fmt.Sprintf("isError=%v; structuredContent %s B; content: %s", r.Result.IsError, thousands(len(r.Result.Structured)), strings.Join(parts, ", "))
}

func measureRecording(bin string, size int64) error {
	p, err := stdioproc.Spawn(bin, []string{"SKYVERN_MAX_RESOURCE_BYTES=" + strconv.FormatInt(size+size/2, 10)},
		"--sandbox", "--sandbox-run-seconds", "0", "--sandbox-recording-bytes", strconv.FormatInt(size, 10))
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.Initialize("resultsize"); err != nil {
		return err
	}
	raw, err := p.Request("tools/call", map[string]any{"name": "run_task", "arguments": map[string]any{"prompt": "record", "wait_for_completion": true}})
	if err != nil {
		return err
	}
	runID := string(find(raw, `"run_id":"`, `"`))
	time.Sleep(200 * time.Millisecond)
	before := p.HWM()
	t0 := time.Now()
	raw, err = p.Request("resources/read", map[string]any{"uri": "skyvern://runs/" + runID + "/recording"})
	took := time.Since(t0)
	after := p.HWM()
	mib := float64(size) / (1 << 20)
	note := fmt.Sprintf("before the read %s; added %s = %.2f× the recording; %s bytes answered in %.0f ms",
		mibs(before), mibs(after-before), float64(after-before)/float64(size), thousands(len(raw)), float64(took)/1e6)
	if err != nil {
		note = "refused: " + trim(err.Error(), 200)
	}
	row(fmt.Sprintf("Peak RSS reading a %.0f MiB recording resource", mib), mibs(after), note)
	return nil
}

func row(metric, value, note string) { fmt.Printf("| %s | %s | %s |\n", metric, value, note) }

func find(b []byte, start, end string) []byte {
	i := bytes.Index(b, []byte(start))
	if i < 0 {
		return nil
	}
	b = b[i+len(start):]
	j := bytes.Index(b, []byte(end))
	if j < 0 {
		return nil
	}
	return b[:j]
}

func mibs(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
