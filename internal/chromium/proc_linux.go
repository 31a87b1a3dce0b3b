package chromium

import "syscall"

// dieWithParent kills the browser when the server dies without closing it
// (SIGKILL, a crash): its renderers follow their browser process.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
