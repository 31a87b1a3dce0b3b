//go:build unix

package chromium

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}

// RSS is the resident memory of the browser's process tree in bytes: the
// sum over the processes of its process group, read from /proc (Linux
// only; 0 elsewhere).
func (b *Browser) RSS() int64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	pg := b.PID()
	page := int64(os.Getpagesize())
	var total int64
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(raw)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		// f[0] is the state (field 3): pgrp is field 5, rss field 24.
		if len(f) < 22 {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g != pg && pid != pg {
			continue
		}
		rss, _ := strconv.ParseInt(f[21], 10, 64)
		total += rss * page
	}
	return total
}
