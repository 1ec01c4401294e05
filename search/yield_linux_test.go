package search

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// TestRun_IndexesOnALowerPriorityThread checks that Run works on a thread
// of its own whose nice value is indexNice higher than the process's, that
// the index still follows saves from there, and that the thread ends with
// Run, so that no other goroutine ever runs at the lowered priority.
func TestRun_IndexesOnALowerPriorityThread(t *testing.T) {
	base := threadNices(t)[0] // the main thread's, which ps shows: never lowered
	want := base + indexNice
	lowered := func() int { return countNice(threadNices(t), want) }
	before := lowered()

	e := mustOpenEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = e.ix.Run(ctx) })
	wikitest.Eventually(t, "a thread at nice "+strconv.Itoa(want), func() bool { return lowered() == before+1 })

	e.save(t, "lowered", "Lowered", "The quokka indexes politely.")
	e.ix.Notify()
	wikitest.Eventually(t, "the save to be searchable", func() bool {
		return len(e.search(t, wiki.SearchQuery{Text: "quokka"}).Hits) == 1
	})
	if got := lowered(); got != before+1 {
		t.Errorf("%d threads at nice %d while Run indexes, want %d", got, want, before+1)
	}

	cancel()
	wg.Wait()
	if runErr != nil {
		t.Fatalf("Run: %v", runErr)
	}
	wikitest.Eventually(t, "the lowered thread to end with Run", func() bool { return lowered() == before })
	if got := threadNices(t)[0]; got != base {
		t.Errorf("the main thread's nice is %d after Run, was %d", got, base)
	}
}

// threadNices returns the nice value of each thread of this process, the
// main thread's first.
func threadNices(t *testing.T) []int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.Itoa(os.Getpid())
	var nices []int
	for _, task := range tasks {
		stat, err := os.ReadFile(filepath.Join("/proc/self/task", task.Name(), "stat"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		// The fields after the command, which is in parentheses: the
		// state is field 3 and the nice value field 19 (proc(5)).
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 17 {
			t.Fatalf("thread %s: short stat %q", task.Name(), stat)
		}
		n, err := strconv.Atoi(fields[16])
		if err != nil {
			t.Fatalf("thread %s: nice %q: %v", task.Name(), fields[16], err)
		}
		if task.Name() == self {
			nices = append([]int{n}, nices...)
		} else {
			nices = append(nices, n)
		}
	}
	return nices
}

func countNice(nices []int, n int) int {
	c := 0
	for _, v := range nices {
		if v == n {
			c++
		}
	}
	return c
}
