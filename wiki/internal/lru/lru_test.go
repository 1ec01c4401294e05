package lru

import (
	"fmt"
	"sync"
	"testing"
)

func TestLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := New[int](30)
	c.Put("a", 1, 10)
	c.Put("b", 2, 10)
	c.Put("c", 3, 10)
	if _, ok := c.Get("a"); !ok { // a is now the most recently used
		t.Fatal("a is missing from a cache with room for it")
	}
	c.Put("d", 4, 10) // 40 bytes: b, the least recently used, goes
	if _, ok := c.Get("b"); ok {
		t.Error("b is still cached; want it evicted as the least recently used")
	}
	if n := c.Len(); n != 3 {
		t.Errorf("Len() = %d; want 3", n)
	}
	for k, want := range map[string]int{"a": 1, "c": 3, "d": 4} {
		if got, ok := c.Get(k); !ok || got != want {
			t.Errorf("Get(%q) = %d, %v; want %d, true", k, got, ok, want)
		}
	}
}

func TestPutReplacesAndRecharges(t *testing.T) {
	c := New[string](20)
	c.Put("a", "old", 15)
	c.Put("a", "new", 5) // now 5 bytes: room for another 15
	c.Put("b", "b", 15)
	if got, ok := c.Get("a"); !ok || got != "new" {
		t.Errorf("Get(a) = %q, %v; want the replaced value, kept", got, ok)
	}
	if _, ok := c.Get("b"); !ok {
		t.Error("b is missing: the replaced value was still charged its old size")
	}
}

func TestValueLargerThanTheCacheIsNotKept(t *testing.T) {
	c := New[int](10)
	c.Put("small", 1, 5)
	c.Put("huge", 2, 11)
	if _, ok := c.Get("huge"); ok {
		t.Error("a value larger than the whole cache was kept")
	}
	if _, ok := c.Get("small"); !ok {
		t.Error("putting a too-large value evicted what was there")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New[int](1000)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprint((g*500 + i) % 97)
				c.Put(k, i, 10)
				c.Get(k)
			}
		})
	}
	wg.Wait()
	if c.size > c.max {
		t.Errorf("size %d over the bound %d", c.size, c.max)
	}
}

func TestGetBytesFindsWhatGetFinds(t *testing.T) {
	c := New[int](100)
	c.Put("a\x00b", 1, 10)
	c.Put("c", 2, 10)
	if v, ok := c.GetBytes([]byte("a\x00b")); !ok || v != 1 {
		t.Fatalf("GetBytes(a 0 b) = %d, %v; want 1, true", v, ok)
	}
	if _, ok := c.GetBytes([]byte("a")); ok {
		t.Fatal("GetBytes found a key that was never put")
	}
	// GetBytes marks the entry used, as Get does: c goes first.
	c.GetBytes([]byte("a\x00b"))
	for i := range 9 {
		c.Put(fmt.Sprint("fill", i), 0, 10)
	}
	if _, ok := c.Get("c"); ok {
		t.Fatal("c, the least recently used, is still kept")
	}
	if _, ok := c.Get("a\x00b"); !ok {
		t.Fatal("a 0 b, used by GetBytes, was dropped before c")
	}
}

func TestGetBytesDoesNotAllocate(t *testing.T) {
	c := New[int](100)
	c.Put("some key", 1, 10)
	key := []byte("some key")
	if n := testing.AllocsPerRun(100, func() { c.GetBytes(key) }); n != 0 {
		t.Fatalf("GetBytes makes %v allocations; want 0", n)
	}
}
