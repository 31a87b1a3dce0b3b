package client

import (
	"bufio"
	"io"
	"mime"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// sniffBytes is how much of a body content detection reads: mimetype's
// default read limit (4 KiB).
const sniffBytes = 4096

// sniffBody reads up to sniffBytes of body without consuming them: it
// returns those bytes and a reader that still yields the whole body.
func sniffBody(body io.Reader) ([]byte, io.Reader, error) {
	br := bufio.NewReaderSize(body, sniffBytes)
	// A read error (a body over its bound, a dropped connection) is not
	// the sniff's to report: the bytes before it decide the type, and the
	// reader returns the same error once they are consumed.
	head, _ := br.Peek(sniffBytes)
	return append([]byte(nil), head...), br, nil
}

// DetectMIME decides the media type of content from its first bytes (up to
// 4 KiB), with github.com/gabriel-vasile/mimetype. The bytes decide:
// Skyvern labels many binary artifacts application/json and webm
// recordings video/mp4, so its Content-Type is only a fallback. When the
// bytes are not conclusive (an unknown binary format, or plain text that
// may be more specific, such as CSV or JSON cut short), the media type
// implied by artifactType (may be empty) comes first, then label (the
// upstream Content-Type) when it agrees with the bytes being text or
// binary, then text/plain or application/octet-stream. The result has no
// parameters, e.g. "application/pdf".
func DetectMIME(head []byte, artifactType ArtifactType, label string) string {
	labelType, _, _ := mime.ParseMediaType(label)
	labelType = strings.ToLower(labelType)
	fromType := ""
	if artifactType != "" {
		fromType = (&Artifact{ArtifactType: artifactType}).MIMEType()
		if fromType == "application/octet-stream" {
			fromType = ""
		}
	}
	if len(head) == 0 {
		// Nothing to look at: trust what we were told.
		switch {
		case fromType != "":
			return fromType
		case labelType != "":
			return labelType
		}
		return "application/octet-stream"
	}
	detected := mimetype.Detect(head)
	switch {
	case detected.Is("text/plain"):
		// Text, but of which kind the bytes cannot tell.
		switch {
		case fromType != "" && IsTextualMIME(fromType):
			return fromType
		case labelType != "" && IsTextualMIME(labelType):
			return labelType
		}
		return "text/plain"
	case detected.Is("application/octet-stream"):
		// Binary of a format mimetype does not know.
		switch {
		case fromType != "" && !IsTextualMIME(fromType):
			return fromType
		case labelType != "" && !IsTextualMIME(labelType):
			return labelType
		}
		return "application/octet-stream"
	}
	mt, _, err := mime.ParseMediaType(detected.String())
	if err != nil {
		return "application/octet-stream"
	}
	return mt
}

// IsTextualMIME reports whether a media type (without parameters) is text
// that MCP may carry as a text content item or text resource: text/*, JSON,
// XML, JavaScript, YAML, NDJSON and their +json/+xml variants.
func IsTextualMIME(mediaType string) bool {
	mediaType = strings.ToLower(mediaType)
	return strings.HasPrefix(mediaType, "text/") || mediaType == "application/json" || strings.HasSuffix(mediaType, "+json") ||
		mediaType == "application/xml" || strings.HasSuffix(mediaType, "+xml") || mediaType == "application/javascript" ||
		mediaType == "application/x-ndjson" || mediaType == "application/yaml" || mediaType == "application/x-yaml" ||
		mediaType == "application/ld+json"
}
