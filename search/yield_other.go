//go:build !linux

package search

// onLowThread runs f where threads have no priority of their own that Go
// can set (see yield_linux.go).
func onLowThread(f func(error)) { f(nil) }
