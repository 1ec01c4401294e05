package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faqwiki/faqwiki/cmd/faqwiki/internal/procfs"
	"golang.org/x/sys/unix"
)

// Processes: the server and the ceilings run as children of the suite,
// each pinned to one CPU with taskset (when there is one), while the
// suite's own threads, which make the load, are pinned to another.

// proc is a child process.
type proc struct {
	cmd    *exec.Cmd
	out    *lineBuffer
	done   chan struct{}
	waitEr error
}

// lineBuffer keeps what a process writes, safe to read while it runs.
type lineBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	sub chan string // lines, when someone waits for one
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.sub != nil {
		for _, l := range strings.Split(string(p), "\n") {
			select {
			case b.sub <- l:
			default:
			}
		}
	}
	return len(p), nil
}

func (b *lineBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// command makes the command for exe args, pinned to cpu (-1: not pinned).
func command(ctx context.Context, cpu int, exe string, args ...string) *exec.Cmd {
	if cpu >= 0 {
		if ts, err := exec.LookPath("taskset"); err == nil {
			return exec.CommandContext(ctx, ts, append([]string{"-c", strconv.Itoa(cpu), exe}, args...)...)
		}
	}
	return exec.CommandContext(ctx, exe, args...)
}

// start starts exe args pinned to cpu, its standard output and error
// going to a buffer and, if log is not "", to that file too.
func start(ctx context.Context, cpu int, log, exe string, args ...string) (*proc, error) {
	p := &proc{cmd: command(ctx, cpu, exe, args...), out: &lineBuffer{sub: make(chan string, 64)}, done: make(chan struct{})}
	var w io.Writer = p.out
	if log != "" {
		f, err := os.Create(log)
		if err != nil {
			return nil, err
		}
		w = io.MultiWriter(p.out, f)
		go func() { <-p.done; f.Close() }()
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	p.cmd.Cancel = func() error { return p.cmd.Process.Signal(os.Interrupt) }
	p.cmd.WaitDelay = 20 * time.Second
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.waitEr = p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// waitLine waits up to d for a line of output that contains s.
func (p *proc) waitLine(s string, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	if strings.Contains(p.out.String(), s) {
		return nil
	}
	for {
		select {
		case l := <-p.out.sub:
			if strings.Contains(l, s) || strings.Contains(p.out.String(), s) {
				return nil
			}
		case <-p.done:
			return fmt.Errorf("%s ended before it said %q: %v\n%s", p.cmd.Path, s, p.waitEr, p.out.String())
		case <-t.C:
			return fmt.Errorf("%s did not say %q within %s:\n%s", p.cmd.Path, s, d, p.out.String())
		}
	}
}

// stop interrupts the process and waits for it to end.
func (p *proc) stop() error {
	select {
	case <-p.done:
		return p.waitEr
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return nil
}

// serverPID is the pid of the program itself: under taskset, taskset
// execs it, so the pid is the same.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// runJSON runs exe args pinned to cpu to its end and returns its standard
// output.
func runOutput(ctx context.Context, cpu int, exe string, args ...string) ([]byte, error) {
	cmd := command(ctx, cpu, exe, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", filepath.Base(exe), strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// pinSelf pins every thread of this process to cpu (threads made later
// inherit it from the thread that makes them). It returns false where
// that is not possible.
func pinSelf(cpu int) bool {
	var set unix.CPUSet
	set.Set(cpu)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return false
	}
	ok := true
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil {
			ok = false
		}
	}
	return ok
}

// rss returns the resident memory of process pid in bytes (0 if unknown).
func rss(pid int) int64 { return procfs.KB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS") }

// cpuTime returns the user+system CPU time process pid has used.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}
