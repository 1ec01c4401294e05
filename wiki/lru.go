package wiki

import (
	"container/list"
	"sync"
)

// lru is a small size-bounded least-recently-used cache. Rendered HTML of
// immutable revisions is kept here; the bound is in bytes so that a few huge
// pages cannot push memory use up without limit.
type lru[V any] struct {
	mu      sync.Mutex
	max     int
	size    int
	ll      *list.List
	entries map[string]*list.Element
}

type lruEntry[V any] struct {
	key  string
	val  V
	size int
}

func newLRU[V any](maxBytes int) *lru[V] {
	return &lru[V]{max: maxBytes, ll: list.New(), entries: map[string]*list.Element{}}
}

func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry[V]).val, true
	}
	var zero V
	return zero, false
}

// put stores val under key, charging size bytes. Values larger than the
// whole cache are not kept.
func (c *lru[V]) put(key string, val V, size int) {
	if size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		old := e.Value.(*lruEntry[V])
		c.size += size - old.size
		old.val, old.size = val, size
		c.ll.MoveToFront(e)
	} else {
		c.entries[key] = c.ll.PushFront(&lruEntry[V]{key: key, val: val, size: size})
		c.size += size
	}
	for c.size > c.max {
		e := c.ll.Back()
		ent := e.Value.(*lruEntry[V])
		c.ll.Remove(e)
		delete(c.entries, ent.key)
		c.size -= ent.size
	}
}
