package redact

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// A typical tool result (about 10 KB of JSON, with & escaped as \u0026 as
// Go writes it) holding no secret: the cost every call pays.
func benchResult() []byte {
	out := map[string]any{"run_id": "tsk_v2_123456789012345678", "status": "completed",
		"app_url": "https://app.skyvern.com/runs/wr_1?a=1&b=2", "output": strings.Repeat("some extracted text, ", 500)}
	b, _ := json.Marshal(out)
	return b
}

func BenchmarkJSONNoSecret(b *testing.B) {
	r := Join(NewSet(0, "sk-live-key-0123456789abcdef0123456789", "bearer-token-0123456789"))
	raw := benchResult()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		_ = r.JSON(raw)
	}
}

func BenchmarkJSONNoSecret1000Keys(b *testing.B) {
	s := NewSet(1000)
	for i := 0; i < 1000; i++ {
		s.Add(fmt.Sprintf("caller-key-%04d-0123456789abcdef", i))
	}
	r := Join(s)
	raw := benchResult()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		_ = r.JSON(raw)
	}
}

func BenchmarkBlob8MiB(b *testing.B) {
	r := Join(NewSet(0, "sk-live-key-0123456789abcdef0123456789"))
	data := make([]byte, 6<<20)
	for i := range data {
		data[i] = byte(i * 7919 >> 3)
	}
	b64 := encodeStd(data)
	b.SetBytes(int64(len(b64)))
	for b.Loop() {
		_ = r.Blob(b64, false)
	}
}

func encodeStd(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
