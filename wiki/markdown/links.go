package markdown

// LinkTarget is where a wiki link points: the slug of the page (as
// Options.LinkSlug made it) and the page name as the author wrote it.
type LinkTarget struct {
	Slug  string
	Title string
	// ByAddress marks a Markdown link to the page's address
	// ([text](/wiki/slug)) rather than a wiki link; Title is empty then.
	ByAddress bool
}

// LinkTargets returns the distinct targets of [[...]] links in src, in order
// of first appearance, each with the name its first link wrote, then
// those of Markdown links to /wiki/ addresses. It parses
// but does not render: the link index calls it on every commit.
func (r *Renderer) LinkTargets(src string) []LinkTarget {
	return r.parse(src).linkTargets()
}

// linkTargets returns the distinct wiki-link targets of p, with the names
// they were written with, in order of first appearance.
func (p *parsedPage) linkTargets() []LinkTarget {
	var out []LinkTarget
	seen := map[string]bool{}
	for _, l := range p.links {
		if seen[l.target] {
			continue
		}
		seen[l.target] = true
		out = append(out, LinkTarget{Slug: l.target, Title: l.title})
	}
	// Markdown links to pages' addresses link pages too; they name no
	// title.
	for _, l := range p.pageLinks {
		if seen[l.slug] {
			continue
		}
		seen[l.slug] = true
		out = append(out, LinkTarget{Slug: l.slug, ByAddress: true})
	}
	return out
}
