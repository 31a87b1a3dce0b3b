package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// largeRun is a finished run with a large extracted output (about 200 KB),
// as data extraction over a long listing produces.
func largeRun() *client.Run {
	rows := make([]map[string]any, 1000)
	for i := range rows {
		rows[i] = map[string]any{"rank": i + 1, "title": fmt.Sprintf("Wireless headphones model %d \"pro\"", i),
			"price": fmt.Sprintf("$%d.99", 20+i%300), "url": fmt.Sprintf("https://shop.example.com/p/%06d?ref=search&q=headphones", i)}
	}
	out, _ := json.Marshal(map[string]any{"results": rows})
	shots := make([]string, 50)
	for i := range shots {
		shots[i] = fmt.Sprintf("https://artifacts.skyvern.example/tsk_v2_1/screenshot_%02d.png?X-Amz-Signature=%s", i, strings.Repeat("ab", 32))
	}
	steps := 48
	return &client.Run{RunID: "tsk_v2_1", Status: client.RunStatus("completed"), Output: client.RawJSON(out), ScreenshotURLs: shots,
		CreatedAt: "2026-01-01T00:00:00Z", ModifiedAt: "2026-01-01T00:05:00Z", StepCount: &steps, RunType: client.RunType("task_v2"),
		AppURL: "https://app.skyvern.com/runs/tsk_v2_1"}
}

// largeArtifacts is get_run_artifacts' answer for a long run: 500 artifacts.
func largeArtifacts() *ArtifactsResult {
	arts := make([]client.Artifact, 500)
	for i := range arts {
		arts[i] = client.Artifact{ArtifactID: fmt.Sprintf("a_%06d", i), ArtifactType: client.ArtifactScreenshotAction,
			CreatedAt: "2026-01-01T00:00:00Z", ModifiedAt: "2026-01-01T00:00:00Z"}
	}
	return &ArtifactsResult{RunID: "tsk_v2_1", Count: len(arts), Artifacts: arts}
}

// benchEncode encodes out as a tool result and the result as the JSON-RPC
// response the stdio transport writes.
func benchEncode(b *testing.B, out any) {
	b.ReportAllocs()
	var n int
	for b.Loop() {
		res, err := structuredResult(out)
		if err != nil || res.IsError {
			b.Fatal(err)
		}
		line, err := json.Marshal(mcp.NewJSONRPCResultResponse(mcp.NewRequestId(1), res))
		if err != nil {
			b.Fatal(err)
		}
		n = len(line)
	}
	b.SetBytes(int64(n))
}

// BenchmarkEncodeLargeRun is get_run's result for a run with ~200 KB of output.
func BenchmarkEncodeLargeRun(b *testing.B) { benchEncode(b, &RunResult{Run: largeRun()}) }

// BenchmarkEncodeArtifactList is get_run_artifacts' result with 500 artifacts.
func BenchmarkEncodeArtifactList(b *testing.B) { benchEncode(b, largeArtifacts()) }
