//go:build unix && !linux

package chromium

import "syscall"

func dieWithParent(*syscall.SysProcAttr) {}
