package testenv

import (
	"archive/zip"
	"bytes"
	"image"
	"image/png"
)

// Sample is a small file of a known media type, for tests that check the
// type is decided from the bytes rather than from an upstream label.
type Sample struct {
	Name, MIMEType string
	Data           []byte
}

// Samples returns a PDF, a ZIP, a PNG and a WebM file, each a few hundred
// bytes.
func Samples() []Sample {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	f, _ := zw.Create("trace.json")
	_, _ = f.Write([]byte(`{"events":[]}`))
	_ = zw.Close()

	var pbuf bytes.Buffer
	_ = png.Encode(&pbuf, image.NewGray(image.Rect(0, 0, 4, 4)))

	pdf := []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

	// An EBML header with DocType "webm", then the start of a Segment.
	webm := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04,
		0x42, 0xF3, 0x81, 0x08, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm', 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02,
		0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x02, 0x03}

	return []Sample{
		{"pdf", "application/pdf", pdf},
		{"zip", "application/zip", zbuf.Bytes()},
		{"png", "image/png", pbuf.Bytes()},
		{"webm", "video/webm", webm},
	}
}
