package redact

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const key = "sk-canary-KEY/7f3a+9e21c4b8&x"

// leaks lists the forms of secret found in s (as is, escaped, encoded at
// any alignment), for assertions.
func leaks(s, secret string) []string {
	var found []string
	check := func(name, form string) {
		if form != "" && strings.Contains(s, form) {
			found = append(found, name)
		}
	}
	check("clear", secret)
	jb, _ := json.Marshal(secret)
	check("json", string(jb[1:len(jb)-1]))
	check("query", url.QueryEscape(secret))
	check("path", url.PathEscape(secret))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		for pre := 0; pre < 3; pre++ {
			full := enc.EncodeToString([]byte(strings.Repeat("x", pre) + secret + "tail"))
			// the part of full that depends on the secret only
			core := alignedCore(enc.WithPadding(base64.NoPadding), secret, pre%3)
			if pre == 0 {
				check(fmt.Sprintf("base64 %d", pre), enc.EncodeToString([]byte(secret)))
			}
			_ = full
			check(fmt.Sprintf("base64 core %d", pre), core)
		}
	}
	return found
}

func TestStringRemovesEveryForm(t *testing.T) {
	r := Join(NewSet(0, key))
	var parts []string
	parts = append(parts, "clear "+key, "query "+url.QueryEscape(key), "path "+url.PathEscape(key))
	jb, _ := json.Marshal(key)
	parts = append(parts, "json "+string(jb))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		for pre := 0; pre < 3; pre++ {
			parts = append(parts, "b64 "+enc.EncodeToString([]byte(strings.Repeat("h", pre)+"x-api-key: "+key+"\r\nmore")))
		}
		parts = append(parts, "b64 alone "+enc.EncodeToString([]byte(key)))
	}
	// \u escapes spelling the key, as an attacker-controlled JSON could
	var esc strings.Builder
	for _, c := range key {
		fmt.Fprintf(&esc, `\u%04x`, c)
	}
	parts = append(parts, "escaped "+esc.String())
	for _, p := range parts {
		out := r.String(p)
		assert.Empty(t, leaks(out, key), "%q -> %q", p, out)
		if !strings.HasPrefix(p, "escaped") {
			assert.Contains(t, out, Mask, p)
		}
		assert.NotContains(t, unescapeU(out), key)
	}
	assert.Equal(t, "nothing here", r.String("nothing here"))
}

func TestJSONStaysValid(t *testing.T) {
	r := Join(NewSet(0, key, `p"w\secret`))
	doc := map[string]any{
		"output":         map[string]any{"echo": "x-api-key: " + key, key: 1.5e300},
		"failure_reason": `pw p"w\secret`,
		"b64":            base64.StdEncoding.EncodeToString([]byte("Bearer " + key)),
		"n":              json.Number("12345678901234567890"),
		"html":           "<a href='x?a=1&b=2'>",
	}
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	out := r.JSON(raw)
	require.True(t, json.Valid(out), string(out))
	assert.Empty(t, leaks(string(out), key))
	assert.NotContains(t, string(out), `p\"w\\secret`)
	assert.Contains(t, string(out), "12345678901234567890", "numbers are kept as written")
	// nothing to redact: the same slice comes back
	clean := []byte(`{"a":"<b>\u0026","c":[1,2]}`)
	assert.Equal(t, &clean[0], &r.JSON(clean)[0])
	// a key spelled with \u escapes inside a JSON string
	var esc strings.Builder
	for _, c := range key {
		fmt.Fprintf(&esc, `\u%04x`, c)
	}
	out = r.JSON([]byte(`{"x":"` + esc.String() + `","y":"\\u0041"}`))
	require.True(t, json.Valid(out), string(out))
	var back map[string]string
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, "[REDACTED]", back["x"])
	assert.Equal(t, `\u0041`, back["y"])
}

func TestBlob(t *testing.T) {
	r := Join(NewSet(0, key))
	for pre := 0; pre < 3; pre++ {
		bin := append([]byte{0x89, 'P', 'N', 'G', 0, 0}, []byte(strings.Repeat("z", pre)+key+"\x00\x01")...)
		out := r.Blob(base64.StdEncoding.EncodeToString(bin), false)
		data, err := base64.StdEncoding.DecodeString(out)
		require.NoError(t, err)
		assert.Len(t, data, len(bin), "binary keeps its length")
		assert.NotContains(t, string(data), key)
		text := r.Blob(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("z", pre)+"key="+key)), true)
		data, err = base64.StdEncoding.DecodeString(text)
		require.NoError(t, err)
		assert.Equal(t, strings.Repeat("z", pre)+"key="+Mask, string(data))
	}
	png := base64.StdEncoding.EncodeToString([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 3})
	assert.Equal(t, png, r.Blob(png, false))
}

func TestManySecretsAndBound(t *testing.T) {
	s := NewSet(100)
	for i := 0; i < 150; i++ {
		s.Add(fmt.Sprintf("caller-key-%04d-abcdef", i))
	}
	assert.Equal(t, 100, s.Len())
	r := Join(s)
	assert.Equal(t, "a [REDACTED] b", r.String("a caller-key-0149-abcdef b"))
	assert.Equal(t, "a caller-key-0001-abcdef b", r.String("a caller-key-0001-abcdef b"), "forgotten")
	assert.True(t, r.Contains("x"+base64.StdEncoding.EncodeToString([]byte("caller-key-0120-abcdef"))))
	s.Add("abc") // too short
	assert.Equal(t, 100, s.Len())
}

func TestErrorKeepsChain(t *testing.T) {
	r := Join(NewSet(0, key))
	err := fmt.Errorf("dial %s: %w", key, io.ErrUnexpectedEOF)
	red := r.Error(err)
	assert.ErrorIs(t, red, io.ErrUnexpectedEOF)
	assert.NotContains(t, red.Error(), key)
	assert.True(t, IsRedacted(red))
	plain := errors.New("fine")
	assert.Same(t, plain, r.Error(plain))
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b, func() Redactor { return Join(NewSet(0, key)) })
	_, err := io.WriteString(w, `{"level":"warn","error":"got `+key+`"}`+"\n")
	require.NoError(t, err)
	assert.Equal(t, `{"level":"warn","error":"got [REDACTED]"}`+"\n", b.String())
}

// Binary content (a recording read as a resource) is masked in place: the
// secret is gone, the slice is the one given, and no copy of its size is
// made (a 20 MiB recording cost 3x its size in memory while a copy was).
func TestRawMasksBinaryInPlace(t *testing.T) {
	const secret = "sk-live-0123456789abcdef"
	r := Join(NewSet(0, secret))
	data := make([]byte, 8<<20)
	copy(data[1<<20:], "key="+secret)
	copy(data[7<<20:], secret)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out := r.Raw(data, false)
	runtime.ReadMemStats(&after)
	require.Len(t, out, len(data))
	assert.Same(t, &data[0], &out[0], "masked in place")
	assert.NotContains(t, string(out), secret)
	assert.Equal(t, "key="+strings.Repeat("*", len(secret)), string(out[1<<20:1<<20+4+len(secret)]))
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated to mask 8 MiB")
}
