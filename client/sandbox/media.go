package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"sync"
)

// ---- screenshot (PNG) ----

var (
	screenshotOnce  sync.Once
	screenshotBytes []byte
	screenshotSum   string
)

// screenshotPNG returns the sandbox screenshot: a 480×300 PNG of a browser
// window showing a page titled "SKYVERN SANDBOX", drawn once and cached.
func screenshotPNG() ([]byte, string) {
	screenshotOnce.Do(func() {
		img := drawScreenshot()
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			panic("sandbox: encoding PNG: " + err.Error())
		}
		screenshotBytes = buf.Bytes()
		screenshotSum = sha256Hex(screenshotBytes)
	})
	return screenshotBytes, screenshotSum
}

func drawScreenshot() *image.RGBA {
	const w, h = 480, 300
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill := func(x0, y0, x1, y1 int, c color.RGBA) {
		for y := y0; y < y1 && y < h; y++ {
			for x := x0; x < x1 && x < w; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	disc := func(cx, cy, r int, c color.RGBA) {
		for y := cy - r; y <= cy+r; y++ {
			for x := cx - r; x <= cx+r; x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
	// Page background: a soft vertical gradient.
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(240 - y/20), uint8(243 - y/25), uint8(250 - x/60), 255})
		}
	}
	// Window chrome: title bar with the three buttons and an address bar.
	fill(0, 0, w, 34, color.RGBA{52, 56, 66, 255})
	disc(16, 17, 6, color.RGBA{237, 106, 94, 255})
	disc(34, 17, 6, color.RGBA{245, 191, 79, 255})
	disc(52, 17, 6, color.RGBA{98, 197, 84, 255})
	fill(72, 8, 460, 27, color.RGBA{246, 247, 249, 255})
	fill(80, 15, 240, 20, color.RGBA{150, 156, 168, 255})
	// Page header band with a logo block and the title.
	fill(0, 34, w, 92, color.RGBA{79, 70, 229, 255})
	fill(20, 48, 50, 78, color.RGBA{255, 255, 255, 255})
	fill(27, 55, 43, 71, color.RGBA{79, 70, 229, 255})
	drawText(img, 64, 52, 3, "SKYVERN SANDBOX", color.RGBA{255, 255, 255, 255})
	// Text lines.
	for i, width := range []int{300, 260, 330, 180} {
		fill(20, 110+i*18, 20+width, 120+i*18, color.RGBA{170, 176, 190, 255})
	}
	// A card with an image placeholder and a button.
	fill(20, 190, 250, 285, color.RGBA{255, 255, 255, 255})
	for y := 198; y < 250; y++ {
		for x := 28; x < 118; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(120 + (x - 28)), uint8(180 - (y - 198)), 220, 255})
		}
	}
	fill(128, 202, 236, 210, color.RGBA{120, 126, 140, 255})
	fill(128, 218, 210, 226, color.RGBA{170, 176, 190, 255})
	fill(28, 258, 118, 278, color.RGBA{16, 163, 127, 255})
	drawText(img, 50, 261, 2, "DONE", color.RGBA{255, 255, 255, 255})
	// A large check mark: the run completed.
	disc(380, 200, 60, color.RGBA{16, 163, 127, 255})
	for t := 0; t < 30; t++ {
		disc(352+t, 200+t, 6, color.RGBA{255, 255, 255, 255})
	}
	for t := 0; t < 55; t++ {
		disc(382+t, 230-t, 6, color.RGBA{255, 255, 255, 255})
	}
	return img
}

// font5x7 holds the few capital letters the screenshot needs.
var font5x7 = map[rune][7]string{
	'S': {"01111", "10000", "10000", "01110", "00001", "00001", "11110"},
	'K': {"10001", "10010", "10100", "11000", "10100", "10010", "10001"},
	'Y': {"10001", "10001", "01010", "00100", "00100", "00100", "00100"},
	'V': {"10001", "10001", "10001", "10001", "10001", "01010", "00100"},
	'E': {"11111", "10000", "10000", "11110", "10000", "10000", "11111"},
	'R': {"11110", "10001", "10001", "11110", "10100", "10010", "10001"},
	'N': {"10001", "11001", "10101", "10011", "10001", "10001", "10001"},
	'A': {"01110", "10001", "10001", "11111", "10001", "10001", "10001"},
	'D': {"11110", "10001", "10001", "10001", "10001", "10001", "11110"},
	'B': {"11110", "10001", "10001", "11110", "10001", "10001", "11110"},
	'O': {"01110", "10001", "10001", "10001", "10001", "10001", "01110"},
	'X': {"10001", "10001", "01010", "00100", "01010", "10001", "10001"},
}

func drawText(img *image.RGBA, x, y, scale int, s string, c color.RGBA) {
	for _, r := range s {
		if g, ok := font5x7[r]; ok {
			for row, bits := range g {
				for col, b := range bits {
					if b != '1' {
						continue
					}
					for dy := 0; dy < scale; dy++ {
						for dx := 0; dx < scale; dx++ {
							img.SetRGBA(x+col*scale+dx, y+row*scale+dy, c)
						}
					}
				}
			}
		}
		x += 6 * scale
	}
}

// ---- recording (video/webm placeholder) ----

// ebmlHeader is a genuine EBML header declaring DocType "webm" (so the file
// starts with the EBML magic 1A 45 DF A3 and sniffs as WebM). What follows is
// one EBML Void element filled with a repeated notice: the recording is NOT a
// playable video, only bytes of the right type and size.
var ebmlHeader = []byte{
	0x1A, 0x45, 0xDF, 0xA3, 0x9F, // EBML, size 31
	0x42, 0x86, 0x81, 0x01, // EBMLVersion 1
	0x42, 0xF7, 0x81, 0x01, // EBMLReadVersion 1
	0x42, 0xF2, 0x81, 0x04, // EBMLMaxIDLength 4
	0x42, 0xF3, 0x81, 0x08, // EBMLMaxSizeLength 8
	0x42, 0x82, 0x84, 'w', 'e', 'b', 'm', // DocType "webm"
	0x42, 0x87, 0x81, 0x04, // DocTypeVersion 4
	0x42, 0x85, 0x81, 0x02, // DocTypeReadVersion 2
}

// minRecordingSize is the EBML header plus the Void element's ID and size.
const minRecordingSize = 36 + 9

var recordingFiller = func() []byte {
	notice := []byte("Skyvern sandbox recording placeholder: not a playable video. ")
	// Repeat the notice to about 64 KiB (a whole number of times, so the
	// pattern is the same whatever the offset) to copy in large chunks.
	return bytes.Repeat(notice, (64<<10)/len(notice))
}()

// recording is an io.ReadSeeker over a deterministic recording of size
// bytes; it holds no buffer, so any size is cheap.
type recording struct {
	size, off int64
	head      [minRecordingSize]byte
}

func newRecording(size int64) *recording {
	r := &recording{size: size}
	copy(r.head[:], ebmlHeader)
	r.head[36] = 0xEC // Void
	r.head[37] = 0x01 // 8-byte size
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(size-minRecordingSize))
	copy(r.head[38:], n[1:])
	return r
}

func (r *recording) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if rem := r.size - r.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	n := 0
	for n < len(p) {
		if r.off < minRecordingSize {
			c := copy(p[n:], r.head[r.off:])
			n += c
			r.off += int64(c)
			continue
		}
		i := (r.off - minRecordingSize) % int64(len(recordingFiller))
		c := copy(p[n:], recordingFiller[i:])
		n += c
		r.off += int64(c)
	}
	return n, nil
}

func (r *recording) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("sandbox: recording: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("sandbox: recording: negative position")
	}
	r.off = offset
	return offset, nil
}

// recordingChecksum is the SHA-256 of the recording, computed once.
func (s *Server) recordingChecksum() string {
	s.recordingOnce.Do(func() {
		h := sha256.New()
		_, _ = io.Copy(h, newRecording(s.opts.RecordingSize))
		s.recordingSum = hex.EncodeToString(h.Sum(nil))
	})
	return s.recordingSum
}

// ---- downloaded file (PDF) ----

var (
	pdfOnce  sync.Once
	pdfBytes []byte
)

// samplePDF is a one-page PDF that says it was downloaded in the sandbox.
func samplePDF() []byte {
	pdfOnce.Do(func() {
		content := "BT /F1 18 Tf 72 720 Td (Skyvern sandbox download) Tj ET"
		objs := []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
			"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		}
		var b bytes.Buffer
		b.WriteString("%PDF-1.4\n")
		offsets := make([]int, len(objs))
		for i, o := range objs {
			offsets[i] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
		}
		xref := b.Len()
		fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
		for _, off := range offsets {
			fmt.Fprintf(&b, "%010d 00000 n \n", off)
		}
		fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
		pdfBytes = b.Bytes()
	})
	return pdfBytes
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
