// Package redact removes secrets (API keys, tokens, credential values) from
// what the server sends out: tool results, resource contents, prompts,
// errors and logs.
//
// A Set remembers secrets and, for each, the forms it may take once
// echoed back by Skyvern or a proxy: as is; JSON-escaped (Go's escaping,
// without HTML escaping, with escaped slashes, and ASCII-only as Python
// writes it); URL-encoded (query and path escaping); and base64 in the
// standard and URL alphabets, with and without padding. Base64 of a secret
// embedded in a longer text is not aligned on the secret, so each secret
// also contributes, for each of the three byte offsets it may start at,
// the part of the encoding that depends on its bytes only. \uXXXX escapes,
// which can spell any character, are undone before searching.
//
// Every form is replaced by Mask. JSON stays valid: JSON texts are
// redacted inside their string literals only (see Redactor.JSON). Binary
// blobs are masked byte for byte, so that their length and layout do not
// change.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Mask replaces every form of a secret.
const Mask = "[REDACTED]"

// MinLen is the shortest secret redacted: shorter values (a 3-digit CVV)
// would also blank out unrelated text such as IDs and numbers.
const MinLen = 4

// minEncodedLen is the shortest base64 form kept: a shorter one could
// match unrelated base64 text by chance (64^-8 per position).
const minEncodedLen = 8

// Set is a bounded set of secrets with their forms. The zero value is not
// usable: create it with NewSet. It is safe for concurrent use.
type Set struct {
	mu      sync.RWMutex
	max     int
	order   []string // secrets, oldest first
	present map[string]bool
	forms   map[string][2][]string // secret -> forms, their base64 cores
	m       *matcher               // all forms
	enc     *matcher               // the forms as they appear inside base64 text (blobs)
}

// NewSet returns a Set that keeps at most max secrets (the oldest are
// forgotten; max <= 0 means no bound) and adds values to it.
func NewSet(max int, values ...string) *Set {
	s := &Set{max: max, present: map[string]bool{}, forms: map[string][2][]string{}}
	s.Add(values...)
	return s
}

// Add remembers values; values shorter than MinLen and values already
// known are ignored.
func (s *Set) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, v := range values {
		if len(v) < MinLen || s.present[v] {
			continue
		}
		s.present[v] = true
		f := Forms(v)
		s.forms[v] = [2][]string{f, encodedCores(f)}
		s.order = append(s.order, v)
		changed = true
	}
	if s.max > 0 && len(s.order) > s.max {
		for _, old := range s.order[:len(s.order)-s.max] {
			delete(s.present, old)
			delete(s.forms, old)
		}
		s.order = append(s.order[:0:0], s.order[len(s.order)-s.max:]...)
	}
	if changed {
		var text, cores []string
		for _, v := range s.order {
			text, cores = append(text, s.forms[v][0]...), append(cores, s.forms[v][1]...)
		}
		s.m, s.enc = newMatcher(text), newMatcher(cores)
	}
}

// Len is the number of secrets remembered.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.order)
}

func (s *Set) matchers() (*matcher, *matcher) {
	if s == nil {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m, s.enc
}

// Forms returns the forms of secret searched for, longest first.
func Forms(secret string) []string {
	var text []string
	seen := map[string]bool{}
	add := func(f string, min int) {
		if len(f) >= min && !seen[f] {
			seen[f] = true
			text = append(text, f)
		}
	}
	plain := append([]string{secret}, jsonForms(secret)...)
	for _, p := range plain {
		add(p, MinLen)
	}
	add(url.QueryEscape(secret), MinLen)
	add(url.PathEscape(secret), MinLen)
	add(strings.ToLower(url.QueryEscape(secret)), MinLen) // some encoders write %2f
	encoded := append(plain, url.QueryEscape(secret))
	for _, p := range encoded {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			add(enc.EncodeToString([]byte(p)), minEncodedLen)
			raw := enc.WithPadding(base64.NoPadding)
			add(raw.EncodeToString([]byte(p)), minEncodedLen)
			for off := 0; off < 3; off++ {
				add(alignedCore(raw, p, off), minEncodedLen)
			}
		}
	}
	sort.SliceStable(text, func(i, j int) bool { return len(text[i]) > len(text[j]) })
	return text
}

// alignedCore is the part of the base64 encoding of a text that holds p at
// a byte offset ≡ off (mod 3) and that depends on p's bytes only: p's
// first (3-off)%3 bytes share a group with the bytes before them, and its
// last incomplete group with the bytes after.
func alignedCore(enc *base64.Encoding, p string, off int) string {
	skip := (3 - off) % 3
	if len(p) <= skip {
		return ""
	}
	rest := p[skip:]
	rest = rest[:len(rest)/3*3]
	return enc.EncodeToString([]byte(rest))
}

// jsonForms are secret as it appears inside a JSON string written by
// various encoders.
func jsonForms(secret string) []string {
	var forms []string
	if b, err := json.Marshal(secret); err == nil { // Go: <, >, & as \u003c...
		forms = append(forms, string(b[1:len(b)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(secret) == nil {
		plain := strings.TrimSuffix(buf.String(), "\n")
		plain = plain[1 : len(plain)-1]
		forms = append(forms, plain, strings.ReplaceAll(plain, "/", `\/`), asciiJSON(plain))
	}
	return forms
}

// asciiJSON escapes every non-ASCII character as \uXXXX (Python's
// json.dumps default).
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		if r > 0xFFFF {
			r1, r2 := surrogates(r)
			writeU(&b, r1)
			writeU(&b, r2)
			continue
		}
		writeU(&b, r)
	}
	return b.String()
}

func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

func writeU(b *strings.Builder, r rune) {
	const hex = "0123456789abcdef"
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hex[(r>>uint(shift))&0xF])
	}
}

// Redactor applies several sets at once (for example the server's own
// secrets and those of the caller's client). The zero value redacts
// nothing.
type Redactor []*Set

// Join returns a Redactor of the given sets (nil sets are skipped).
func Join(sets ...*Set) Redactor {
	r := make(Redactor, 0, len(sets))
	for _, s := range sets {
		if s != nil {
			r = append(r, s)
		}
	}
	return r
}

// Contains reports whether s holds any form of a secret, also once its
// \uXXXX escapes are undone.
func (r Redactor) Contains(s string) bool {
	n := unescapeU(s)
	for _, set := range r {
		m, _ := set.matchers()
		if m.contains(s) || (n != s && m.contains(n)) {
			return true
		}
	}
	return false
}

// String returns s with every form of every secret replaced by Mask. When
// a secret is only found once \uXXXX escapes are undone, the unescaped
// text is returned.
func (r Redactor) String(s string) string {
	if len(r) == 0 || len(s) < MinLen {
		return s
	}
	out := s
	for _, set := range r {
		m, _ := set.matchers()
		out = m.replace(out)
	}
	if n := unescapeU(out); n != out {
		red := n
		for _, set := range r {
			m, _ := set.matchers()
			red = m.replace(red)
		}
		if red != n {
			return red
		}
	}
	return out
}

// Bytes is String for a byte slice; it returns b itself when nothing was
// found.
func (r Redactor) Bytes(b []byte) []byte {
	if len(r) == 0 {
		return b
	}
	s := string(b)
	if red := r.String(s); red != s {
		return []byte(red)
	}
	return b
}

// JSON redacts a JSON text inside its string literals (keys and values),
// so that the result is valid JSON whenever raw is. Each literal is
// decoded, redacted with String and encoded again only if it changed; the
// rest of the text (numbers, order, spacing) is kept byte for byte. It
// returns raw itself when nothing was found.
func (r Redactor) JSON(raw []byte) []byte {
	if len(r) == 0 || !r.jsonMayHold(raw) {
		return raw
	}
	var out []byte
	last := 0
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		end := literalEnd(raw, i)
		if end < 0 {
			break // unterminated: not JSON, leave the rest to String below
		}
		lit := raw[i : end+1]
		if red, ok := r.literal(lit); ok {
			out = append(out, raw[last:i]...)
			out = append(out, red...)
			last = end + 1
		}
		i = end
	}
	if out == nil {
		if !json.Valid(raw) {
			return r.Bytes(raw)
		}
		return raw
	}
	out = append(out, raw[last:]...)
	return out
}

// jsonMayHold is the fast path of JSON: without any form of a secret and
// without escapes that could spell one, there is nothing to do.
func (r Redactor) jsonMayHold(raw []byte) bool {
	s := unsafeString(raw)
	for _, set := range r {
		m, _ := set.matchers()
		if m.contains(s) {
			return true
		}
	}
	return strings.Contains(s, `\u`) && hasUnexpectedEscape(s) || strings.Contains(s, `\/`)
}

// literal redacts one JSON string literal (with its quotes).
func (r Redactor) literal(lit []byte) ([]byte, bool) {
	if bytes.IndexByte(lit, '\\') < 0 {
		s := unsafeString(lit[1 : len(lit)-1])
		if red := r.String(s); red != s {
			b, _ := marshalString(red)
			return b, true
		}
		return nil, false
	}
	var s string
	if json.Unmarshal(lit, &s) != nil {
		return nil, false
	}
	red := r.String(s)
	if red == s {
		return nil, false
	}
	b, err := marshalString(red)
	return b, err == nil
}

func marshalString(s string) ([]byte, error) { return json.Marshal(s) }

// literalEnd returns the index of the quote closing the literal opened at
// start, or -1.
func literalEnd(b []byte, start int) int {
	for i := start + 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// Value redacts a value that is about to be encoded as JSON (a
// json.RawMessage or []byte holding JSON, a string, or any other value,
// which is encoded first). It returns v itself when nothing was found, and
// otherwise a json.RawMessage (a string for a string).
func (r Redactor) Value(v any) any {
	if len(r) == 0 || v == nil {
		return v
	}
	switch x := v.(type) {
	case string:
		return r.String(x)
	case json.RawMessage:
		if red := r.JSON(x); !bytes.Equal(red, x) {
			return json.RawMessage(red)
		}
		return v
	case []byte:
		if red := r.JSON(x); !bytes.Equal(red, x) {
			return json.RawMessage(red)
		}
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	if red := r.JSON(b); !bytes.Equal(red, b) {
		return json.RawMessage(red)
	}
	return v
}

// Blob redacts a base64 blob. Textual content (textual is true, or the
// bytes are valid UTF-8 without NUL) is decoded, redacted with String and
// encoded again. Binary content is masked byte for byte ('*' over each
// form of a secret), keeping its length and layout; it is decoded only
// when its base64 text may hold a secret (found without decoding, at each
// of the three alignments). Text that is not base64 is redacted as text.
func (r Redactor) Blob(b64 string, textual bool) string {
	if len(r) == 0 || b64 == "" {
		return b64
	}
	mayHold := textual
	for _, set := range r {
		if mayHold {
			break
		}
		m, enc := set.matchers()
		mayHold = enc.contains(b64) || m.contains(b64)
	}
	if !mayHold {
		return b64
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return r.String(b64)
	}
	if textual || (utf8.Valid(data) && bytes.IndexByte(data, 0) < 0) {
		if red := r.Bytes(data); !bytes.Equal(red, data) {
			return base64.StdEncoding.EncodeToString(red)
		}
		return b64
	}
	changed := false
	for _, set := range r {
		m, _ := set.matchers()
		if m.maskBytes(data) {
			changed = true
		}
	}
	if !changed {
		return b64
	}
	return base64.StdEncoding.EncodeToString(data)
}

// Raw redacts raw content bytes the way Blob redacts their base64:
// textual content (textual is true, or the bytes are valid UTF-8 without
// NUL) with Bytes, binary content masked in place ('*' over each form of a
// secret, same length). For content passed on without being encoded first
// (the stdio splice of resource contents). It returns data itself when
// nothing was found in binary content.
func (r Redactor) Raw(data []byte, textual bool) []byte {
	if len(r) == 0 || len(data) == 0 {
		return data
	}
	if textual || (utf8.Valid(data) && bytes.IndexByte(data, 0) < 0) {
		return r.Bytes(data)
	}
	for _, set := range r {
		m, _ := set.matchers()
		m.maskBytes(data)
	}
	return data
}

// Error returns err with every secret removed from its text, keeping its
// chain for errors.Is and errors.As; err itself when nothing was found.
func (r Redactor) Error(err error) error {
	if err == nil || len(r) == 0 {
		return err
	}
	msg := err.Error()
	if red := r.String(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// IsRedacted reports whether err's text was redacted by Error.
func IsRedacted(err error) bool {
	var re *redactedError
	return errors.As(err, &re)
}

// hasUnexpectedEscape reports whether s holds a \uXXXX escape of a
// printable ASCII character other than <, > and &: Go's encoder never
// writes one, and it can spell a secret that no form matches.
func hasUnexpectedEscape(s string) bool {
	for {
		j := strings.Index(s, `\u`)
		if j < 0 || j+6 > len(s) {
			return false
		}
		r, ok := hex4(s[j+2 : j+6])
		if ok && (r >= 0x80 || (r >= 0x20 && r < 0x7f && r != '<' && r != '>' && r != '&')) {
			return true
		}
		s = s[j+2:]
	}
}

// unescapeU undoes \uXXXX escapes (and \/) that stand for printable
// characters other than '"' and '\', counting backslashes so that an
// escaped backslash followed by "u" is left alone. It returns s itself
// when there is nothing to undo.
func unescapeU(s string) string {
	if !strings.Contains(s, `\u`) && !strings.Contains(s, `\/`) {
		return s
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		switch {
		case next == '/':
			b.WriteByte('/')
			i++
			changed = true
			continue
		case next == 'u' && i+6 <= len(s):
			if r, ok := hex4(s[i+2 : i+6]); ok {
				width := 6
				if r >= 0xD800 && r < 0xDC00 && i+12 <= len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
					if r2, ok2 := hex4(s[i+8 : i+12]); ok2 && r2 >= 0xDC00 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						width = 12
					}
				}
				if r >= 0x20 && r != '"' && r != '\\' && r != 0x7f && (r < 0xD800 || r >= 0xE000) {
					b.WriteRune(r)
					i += width - 1
					changed = true
					continue
				}
			}
		}
		// Any other escape (including \\) is copied whole.
		b.WriteByte(c)
		b.WriteByte(next)
		i++
	}
	if !changed {
		return s
	}
	return b.String()
}

func hex4(s string) (rune, bool) {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
