// Package wiki is the domain at the centre of faqwiki: pages, revisions,
// slugs, accounts, roles and cohorts, the error set, the rules (three-way
// merge of concurrent edits, no-op saves, attribution, limits) and the
// services that apply them (Wiki for pages and edits, Accounts for people,
// Cohorts for hand-over and reporting), with the small interfaces those
// services consume (page, account and cohort stores, a searcher, a search
// log, a commit notifier).
//
// The text engines are leaf packages beside it: wiki/markdown renders
// Markdown and splits sections, wiki/diff compares and merges texts. wiki
// imports them and none of store, search, gin, bbolt or bleve; those import
// wiki.
package wiki
