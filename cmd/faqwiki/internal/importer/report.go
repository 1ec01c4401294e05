package importer

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// Report is what an import did and had to change: everything that is not
// imported as it was written is in it, so nothing is lost silently.
type Report struct {
	// Filled in by the caller as it saves the pages.
	Created, Updated, Unchanged int
	Failed                      []Note // pages the wiki refused, with why
	Aliases                     int

	LinksRewritten int // links to pages and anchors
	LinksToFiles   int // links and images that now name an attachment
	Unresolved     []Problem
	FilesStored    int
	FileBytes      int64
	RefusedFiles   []Problem
	Changes        []Note // slugs shortened or numbered, titles cut, front matter left out
	// Hint, when the folder is a site generator's whole project, says
	// which of its folders holds the pages ("" otherwise).
	Hint          string
	HTMLKept      map[string]int
	HTMLDropped   map[string]int
	DroppedByPage []PageHTML
}

// Problem is a link or file the import could not bring in as written.
type Problem struct {
	File string // the Markdown file, relative to the folder
	Line int    // 0 when the problem has no line (front matter)
	What string // the destination or file
	Why  string
}

// Note is a change the import made to a file's page.
type Note struct {
	File, What string
}

// PageHTML is the raw HTML one page lost.
type PageHTML struct {
	File    string
	Dropped map[string]int
}

func newReport() *Report {
	return &Report{HTMLKept: map[string]int{}, HTMLDropped: map[string]int{}}
}

func (r *Report) change(file, what string) { r.Changes = append(r.Changes, Note{file, what}) }
func (r *Report) rewroteLink()             { r.LinksRewritten++ }
func (r *Report) linkedFile()              { r.LinksToFiles++ }
func (r *Report) storedFile(n int)         { r.FilesStored++; r.FileBytes += int64(n) }

func (r *Report) unresolved(file string, line int, what, why string) {
	r.Unresolved = append(r.Unresolved, Problem{file, line, what, why})
}

func (r *Report) refusedFile(file string, line int, what, why string) {
	r.RefusedFiles = append(r.RefusedFiles, Problem{file, line, what, why})
}

func (r *Report) html(file string, h *markdown.HTMLReport) {
	for k, n := range h.Kept {
		r.HTMLKept[k] += n
	}
	for k, n := range h.Dropped {
		r.HTMLDropped[k] += n
	}
	if len(h.Dropped) > 0 {
		r.DroppedByPage = append(r.DroppedByPage, PageHTML{file, h.Dropped})
	}
}

// Print writes the report for people. pages is how many pages the folder
// has; dryRun says nothing was written.
func (r *Report) Print(w io.Writer, dir string, pages int, dryRun bool) {
	if dryRun {
		fmt.Fprintf(w, "dry run of the import of %s: nothing was written\n", dir)
		fmt.Fprintf(w, "  pages:       %d would be imported\n", pages)
	} else {
		fmt.Fprintf(w, "imported %s: %d created, %d updated, %d unchanged, %d skipped\n",
			dir, r.Created, r.Updated, r.Unchanged, len(r.Failed))
		fmt.Fprintf(w, "  pages:       %d in the folder\n", pages)
	}
	fmt.Fprintf(w, "  links:       %d rewritten to pages, %d to files, %d unresolved\n", r.LinksRewritten, r.LinksToFiles, len(r.Unresolved))
	fmt.Fprintf(w, "  files:       %d stored (%s), %d refused\n", r.FilesStored, sizeText(r.FileBytes), len(r.RefusedFiles))
	fmt.Fprintf(w, "  raw HTML:    kept %s\n", counts(r.HTMLKept))
	fmt.Fprintf(w, "               dropped %s\n", counts(r.HTMLDropped))
	fmt.Fprintf(w, "  changes:     %d (slugs, titles, front matter, template tags)\n", len(r.Changes))
	if r.Aliases > 0 {
		fmt.Fprintf(w, "  old names:   %d redirect to their pages\n", r.Aliases)
	}
	if r.Hint != "" {
		fmt.Fprintf(w, "\nnote: %s\n", r.Hint)
	}
	section(w, "pages the wiki refused", len(r.Failed), func() {
		for _, n := range r.Failed {
			fmt.Fprintf(w, "  %s: %s\n", n.File, n.What)
		}
	})
	section(w, "links that lead nowhere (kept as written)", len(r.Unresolved), func() {
		for _, p := range r.Unresolved {
			fmt.Fprintf(w, "  %s: %s (%s)\n", where(p), p.What, p.Why)
		}
	})
	section(w, "files not attached", len(r.RefusedFiles), func() {
		for _, p := range r.RefusedFiles {
			fmt.Fprintf(w, "  %s: %s (%s)\n", where(p), p.What, p.Why)
		}
	})
	section(w, "changes made", len(r.Changes), func() {
		for _, n := range r.Changes {
			fmt.Fprintf(w, "  %s: %s\n", n.File, n.What)
		}
	})
	section(w, "raw HTML dropped, page by page", len(r.DroppedByPage), func() {
		for _, p := range r.DroppedByPage {
			fmt.Fprintf(w, "  %s: %s\n", p.File, counts(p.Dropped))
		}
	})
}

func section(w io.Writer, title string, n int, body func()) {
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d):\n", title, n)
	body()
}

func where(p Problem) string {
	if p.Line > 0 {
		return p.File + ":" + strconv.Itoa(p.Line)
	}
	return p.File
}

// counts writes a tally as "<table> 9, <details> 2", biggest first.
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "nothing"
	}
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func sizeText(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1e6:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}
