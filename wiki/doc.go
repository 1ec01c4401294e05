// Package wiki is the domain at the centre of faqwiki: pages, revisions,
// slugs, the edit rules (three-way merge, no-op detection, attribution),
// diffs, Markdown rendering and section splitting, and the small interfaces
// it needs from the outside world (a page store, a search index).
//
// wiki imports none of store, search, gin, bbolt or bleve; they import it.
package wiki
