package importer

import (
	"regexp"
	"slices"
	"strings"
)

// Callouts: the boxes a site generator draws around a note, a tip or a
// warning ({% alert %}, {{< notice >}}, GitBook's {% hint %}, Docusaurus'
// :::note, MkDocs' !!! tip), which become GitHub alerts ("> [!TIP]"), the
// call-out boxes pages render. templates finds the tagged ones;
// admonitions the ones written as lines.

// callouts are the tag and admonition names taken for block quotes.
var callouts = map[string]bool{
	"alert": true, "note": true, "notice": true, "callout": true, "tip": true, "hint": true, "info": true,
	"warning": true, "caution": true, "danger": true, "important": true, "admonition": true, "success": true,
	"error": true, "attention": true, "example": true, "quote": true, "abstract": true, "question": true,
}

// callout is a callout's alert kind ("NOTE", "TIP", "IMPORTANT",
// "WARNING", "CAUTION": GitHub's, which pages render as call-out boxes)
// and its own title, if it has one.
type callout struct{ kind, title string }

// alertKinds maps callout names to the alert kind nearest in meaning.
var alertKinds = map[string]string{
	"tip": "TIP", "hint": "TIP", "success": "TIP",
	"important": "IMPORTANT", "attention": "IMPORTANT",
	"warning": "WARNING", "alert": "WARNING",
	"caution": "CAUTION", "danger": "CAUTION", "error": "CAUTION",
}

// argKinds maps the style or colour a callout tag names to a callout name.
var argKinds = map[string]string{
	"info": "note", "primary": "note", "secondary": "note", "note": "note",
	"success": "tip", "tip": "tip",
	"warning": "warning", "danger": "danger", "error": "danger",
}

// newCallout is the callout a name (of a tag or admonition) and a title
// make; the title counts only if it is not the name's own word.
func newCallout(name, title string) *callout {
	name = strings.ToLower(name)
	kind := alertKinds[name]
	if kind == "" {
		kind = "NOTE"
	}
	if strings.EqualFold(title, name) || strings.EqualFold(title, kind) {
		title = ""
	}
	return &callout{kind: kind, title: title}
}

// quoteCallout makes lines a callout: lines[0], the line the opening tag
// was on (with any text left on it), and the rest, its text. The alert
// line takes lines[0] if it is empty; a title goes in bold before the
// first line of text. Nothing is added or taken away but the marks, so
// the lines stay as many.
func quoteCallout(lines []string, c *callout) {
	title := ""
	if c.title != "" {
		title = "**" + c.title + "** "
	}
	head := strings.TrimSpace(lines[0])
	if head != "" {
		lines[0] = "> " + title + head
		title = ""
	} else {
		lines[0] = "> [!" + c.kind + "]"
	}
	for i := 1; i < len(lines); i++ {
		if title != "" && strings.TrimSpace(lines[i]) != "" {
			lines[i] = title + lines[i]
			title = ""
		}
		lines[i] = quoteLine(lines[i])
	}
	if title != "" { // no text: the title is all there is
		lines[0] = "> " + strings.TrimSpace(title)
	}
}

// quoteSpan is a callout's text in the text made: what becomes a quote.
type quoteSpan struct {
	start, end int
	c          *callout
}

// quoteCallouts quotes the callouts of text, innermost and last first; a
// callout around one grows with it.
func quoteCallouts(text string, quotes []quoteSpan) string {
	slices.SortStableFunc(quotes, func(a, b quoteSpan) int { return b.start - a.start })
	for i, q := range quotes {
		quoted := blockQuote(text[q.start:q.end], q.c)
		text = text[:q.start] + quoted + text[q.end:]
		for j := i + 1; j < len(quotes); j++ {
			if quotes[j].end >= q.end {
				quotes[j].end += len(quoted) - (q.end - q.start)
			}
		}
	}
	return text
}

// tagCallout is a callout tag's callout: the kind its name says (or its
// first word, for a generic name: "notice tip"), the title its first
// quoted argument gives.
func tagCallout(name, args string) *callout {
	title := ""
	if i := strings.IndexAny(args, `"'`); i >= 0 {
		q := args[i]
		if j := strings.IndexByte(args[i+1:], q); j > 0 {
			title = args[i+1 : i+1+j]
		}
	}
	if first, _ := tagName(args); (name == "notice" || name == "callout" || name == "admonition") && isIdent(first) && first != "" && !strings.Contains(first, "=") {
		name = first
	}
	// Named arguments: GitBook's {% hint style="warning" %}, Docsy's
	// {{% alert title="Note" color="primary" %}}.
	for _, m := range namedArg.FindAllStringSubmatch(args, -1) {
		switch m[1] {
		case "title":
			title = m[2]
		case "style", "type", "color":
			if k := argKinds[strings.ToLower(m[2])]; k != "" {
				name = k
			}
		}
	}
	if strings.Contains(args, "=") && !strings.Contains(args, "title=") && namedArg.MatchString(args) {
		// The first quoted value was an option, not a title.
		title = ""
	}
	return newCallout(name, title)
}

// blockQuote makes s a callout (see quoteCallout); its last line break
// stays as it is (the end tag's line follows).
func blockQuote(s string, c *callout) string {
	body, nl := strings.CutSuffix(s, "\n")
	lines := strings.Split(body, "\n")
	quoteCallout(lines, c)
	if nl {
		return strings.Join(lines, "\n") + "\n"
	}
	return strings.Join(lines, "\n")
}

// admonition lines: Docusaurus ":::note Title" to ":::", MkDocs
// "!!! note "Title"" (or "???", collapsible) over indented lines.
var (
	colonOpen = regexp.MustCompile(`^:::\s*([A-Za-z]+)\s*(.*)$`)
	tabOpen   = regexp.MustCompile(`^===[+!]?\s+"([^"]+)"\s*$`)
	bangOpen  = regexp.MustCompile(`^(?:!!!|\?\?\?\+?)\s*([A-Za-z]+)(?:\s+"([^"]*)")?\s*$`)
)

// admonitions turns admonitions outside code into block quotes.
func (rd *reader) admonitions(text string) string {
	if !strings.Contains(text, ":::") && !strings.Contains(text, "!!!") && !strings.Contains(text, "???") && !strings.Contains(text, "===") {
		return text
	}
	code := codeRanges(text)
	lines := strings.Split(text, "\n")
	starts := make([]int, len(lines)) // byte offset of each line
	for i, off := 1, 0; i < len(lines); i++ {
		off += len(lines[i-1]) + 1
		starts[i] = off
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if inCode(code, starts[i]) {
			continue
		}
		if m := colonOpen.FindStringSubmatch(strings.TrimSpace(l)); m != nil && callouts[strings.ToLower(m[1])] {
			end := -1
			for j := i + 1; j < len(lines); j++ {
				if strings.TrimSpace(lines[j]) == ":::" {
					end = j
					break
				}
			}
			if end < 0 {
				continue
			}
			lines[i] = ""
			quoteCallout(lines[i:end], newCallout(m[1], strings.Trim(m[2], "[] ")))
			lines[end] = ""
			i = end
			continue
		}
		if m := tabOpen.FindStringSubmatch(l); m != nil {
			// A content tab (=== "Engineering") and its indented text:
			// the label in bold, the text as the page's.
			lines[i] = "**" + m[1] + "**"
			for j := i + 1; j < len(lines); j++ {
				b := lines[j]
				if strings.TrimSpace(b) == "" {
					continue
				}
				if !strings.HasPrefix(b, "    ") && !strings.HasPrefix(b, "\t") {
					break
				}
				lines[j] = strings.TrimPrefix(strings.TrimPrefix(b, "    "), "\t")
			}
			continue
		}
		if m := bangOpen.FindStringSubmatch(l); m != nil {
			j := i + 1
			for ; j < len(lines); j++ {
				b := lines[j]
				if strings.TrimSpace(b) == "" {
					// A blank line inside, if more indented text follows.
					if j+1 < len(lines) && (strings.HasPrefix(lines[j+1], "    ") || strings.HasPrefix(lines[j+1], "\t")) {
						lines[j] = ""
						continue
					}
					break
				}
				if !strings.HasPrefix(b, "    ") && !strings.HasPrefix(b, "\t") {
					break
				}
				lines[j] = strings.TrimPrefix(strings.TrimPrefix(b, "    "), "\t")
			}
			lines[i] = ""
			quoteCallout(lines[i:j], newCallout(m[1], m[2]))
			i = j - 1
		}
	}
	return strings.Join(lines, "\n")
}

func quoteLine(l string) string {
	if strings.TrimSpace(l) == "" {
		return ">"
	}
	return "> " + l
}
