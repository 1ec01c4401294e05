// Package lru is a small size-bounded least-recently-used cache, safe for
// concurrent use: the wiki keeps rendered revisions and answers in it,
// the web layer drawn page views.
package lru

import (
	"container/list"
	"sync"
)

// Cache maps keys to values, least recently used first out. Its bound is
// in bytes, as the caller counts them, so that a few huge values cannot
// push memory use up without limit.
type Cache[V any] struct {
	mu      sync.Mutex
	max     int
	size    int
	ll      *list.List
	entries map[string]*list.Element
}

type entry[V any] struct {
	key  string
	val  V
	size int
}

// New returns an empty cache that holds at most maxBytes.
func New[V any](maxBytes int) *Cache[V] {
	return &Cache[V]{max: maxBytes, ll: list.New(), entries: map[string]*list.Element{}}
}

// Get returns the value under key, if any, and marks it used.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(c.entries[key])
}

// GetBytes is Get of the key held in b. A key made on every request can
// be appended to a buffer on the stack and looked up without being made
// a string (the map index does not copy it).
func (c *Cache[V]) GetBytes(key []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(c.entries[string(key)])
}

func (c *Cache[V]) getLocked(e *list.Element) (V, bool) {
	if e != nil {
		c.ll.MoveToFront(e)
		return e.Value.(*entry[V]).val, true
	}
	var zero V
	return zero, false
}

// Len returns how many values the cache holds.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Put stores val under key, charging size bytes. Values larger than the
// whole cache are not kept.
func (c *Cache[V]) Put(key string, val V, size int) {
	if size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		old := e.Value.(*entry[V])
		c.size += size - old.size
		old.val, old.size = val, size
		c.ll.MoveToFront(e)
	} else {
		c.entries[key] = c.ll.PushFront(&entry[V]{key: key, val: val, size: size})
		c.size += size
	}
	for c.size > c.max {
		e := c.ll.Back()
		ent := e.Value.(*entry[V])
		c.ll.Remove(e)
		delete(c.entries, ent.key)
		c.size -= ent.size
	}
}
