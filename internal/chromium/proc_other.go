//go:build !unix

package chromium

import "os/exec"

func setProcessGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// RSS is not measured on this system: 0.
func (b *Browser) RSS() int64 { return 0 }
