package search

import (
	"runtime"
	"syscall"
)

// onLowThread runs f on a goroutine locked to a thread whose priority is
// lowered by indexNice (Linux keeps a nice value per thread), passes f the
// error of lowering it (after which the thread runs as before) and
// returns when f does. The goroutine never unlocks: a thread cannot raise
// its priority again without privilege, and a goroutine that ends locked
// takes its thread with it, so no other goroutine ever runs at the
// lowered priority. The process's main thread is never lowered, since
// its nice value is the one ps and top show for the whole process: if
// the goroutine starts there, it keeps that thread and starts again on
// another.
func onLowThread(f func(error)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if syscall.Gettid() == syscall.Getpid() {
			defer runtime.UnlockOSThread()
			onLowThread(f) // cannot start on this thread: it is locked
			return
		}
		f(syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), indexNice))
	}()
	<-done
}
