// Package search is faqwiki's full-text search: a bleve index derived from
// the store's change feed, and the search-gap log.
//
// The index holds one document per section of a page (a FAQ question with
// its answer), carrying the page's title and tags too, so that a hit opens
// the answer and not just the page. Search groups the sections back into
// pages. The index is derived data: it records the last change-feed
// sequence number it applied, catches up from there on start and while it
// runs (Index.Run), and can be deleted at any time; Index.Rebuild (and Open
// on a missing, damaged or outdated index) makes it again from the store.
//
// The gap log (Log) is a small bbolt file of its own, outside the index
// folder, so rebuilding the index loses no history. It counts searches per
// normalized query and day; a query that found nothing, or whose results
// nobody opened, is a gap the trainers should answer.
package search
