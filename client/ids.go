package client

import (
	"fmt"
	"regexp"
	"strings"
)

// MaxIDLength is the longest ID accepted, in bytes.
const MaxIDLength = 128

// idRe is the shape of every Skyvern ID: a prefix such as tsk_, tsk_v2_,
// wr_, wpid_, w_, pbs_, bp_, cred_, a_, fld_, oat_, wfs_ or s_ followed by
// digits, or a UUID: letters, digits, '_' and '-', starting with a letter
// or digit.
var idRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// ValidID reports whether id has the shape of a Skyvern ID (see CheckID).
func ValidID(id string) bool {
	return len(id) <= MaxIDLength && idRe.MatchString(id)
}

// InvalidIDError is an ID (or a name used in a URL path) refused before any
// request: empty, "." or "..", or with characters no Skyvern ID has.
type InvalidIDError struct {
	// Field is the argument's name, e.g. "run_id"; for a refused path it is
	// "path segment".
	Field string
	Value string
	// Name is true for a name (a tag key), false for an ID.
	Name bool
}

func (e *InvalidIDError) Error() string {
	v := e.Value
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	if e.Name {
		return fmt.Sprintf("%s: %q cannot be used: it must not be empty, \".\" or \"..\", or hold '/', '\\\\', '%%' or control characters", e.Field, v)
	}
	if e.Value == "" {
		return fmt.Sprintf("%s: an ID is required, got an empty string", e.Field)
	}
	return fmt.Sprintf("%s: %q is not a Skyvern ID: IDs are letters, digits, '_' and '-' (for example tsk_v2_123, wr_123, wpid_123, cred_123), at most %d characters", e.Field, v, MaxIDLength)
}

// CheckID returns an *InvalidIDError naming field unless id has the shape
// of a Skyvern ID (ValidID). Tools, resource URIs and the client's path
// builder all use it, so that no "." or ".." (or "/", "%2F") ever becomes
// a path segment sent to Skyvern.
func CheckID(field, id string) error {
	if !ValidID(id) {
		return &InvalidIDError{Field: field, Value: id}
	}
	return nil
}

// CheckName returns an *InvalidIDError naming field unless name can be one
// URL path segment (a tag key): not empty, ".", "..", at most 256 bytes,
// without '/', '\', '%' or control characters (a server or proxy that
// decodes or normalises the path would send it elsewhere).
func CheckName(field, name string) error {
	bad := name == "" || name == "." || name == ".." || len(name) > 256 ||
		strings.ContainsAny(name, "/\\%") || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f })
	if bad {
		return &InvalidIDError{Field: field, Value: name, Name: true}
	}
	return nil
}

// checkPath is the path builder's last line of defence: every segment of
// an escaped request path (as pathf builds it) must be non-empty, not "."
// or "..", and free of escaped slashes and backslashes.
func checkPath(method, path string) error {
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		lower := strings.ToLower(seg)
		if seg == "" || seg == "." || seg == ".." || strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") ||
			strings.Contains(lower, "%2e") {
			return fmt.Errorf("skyvern: refusing %s /v1%s: %w", method, path, &InvalidIDError{Field: "path segment", Value: seg})
		}
	}
	return nil
}
