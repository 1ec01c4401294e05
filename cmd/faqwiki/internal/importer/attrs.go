package importer

import (
	"regexp"
	"strings"
)

// Attribute lists: kramdown's ({: #id .class}, {:toc}), Pandoc's and
// MkDocs' attr_list ({#id}, { .md-button }), which their renderers read
// and faqwiki's does not, so that they showed on the page as text
// ("Collaboration {#collaboration}"). attributes takes them out of the
// text outside code: from the end of a heading (an #id in it is kept as
// another name of the heading's anchor, so links to #id still arrive),
// as lines of their own, and after links and images. A "* TOC" list
// followed by {:toc} goes too: pages have their own list of questions.
// Lines stay as many.

var (
	// headingAttrs is an ATX heading ending in an attribute list.
	headingAttrs = regexp.MustCompile(`^(\s{0,3}#{1,6}\s+.*?)\s*\{:?\s*((?:[#.][\w:-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+))(?:\s+(?:[#.][\w:-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+)))*)\s*\}\s*$`)
	// blockAttrs is a line that is a kramdown attribute list or extension.
	blockAttrs = regexp.MustCompile(`^\s*\{:[^}]*\}\s*$|^\s*\{::[^}]*\}\s*$`)
	// spanAttrs is an attribute list right after a link or an image.
	spanAttrs = regexp.MustCompile(`(\]\([^)\n]*\))\{:?\s*[.#\w][^}\n]*\}`)
	// attrID is the #id of an attribute list.
	attrID = regexp.MustCompile(`(?:^|\s|\{:?)#([\w:-]+)`)
	// atxHeading is a heading line.
	atxHeading = regexp.MustCompile(`^\s{0,3}#{1,6}\s`)
	// tocItem is the list item a kramdown {:toc} replaces.
	tocItem = regexp.MustCompile(`^\s*(?:[*+-]|1\.)\s+\S.*$`)
)

// stripTitleAttrs takes an attribute list off the end of a title.
func stripTitleAttrs(t string) (title, id string) {
	m := headingAttrs.FindStringSubmatch("# " + t)
	if m == nil {
		return t, ""
	}
	if im := attrID.FindStringSubmatch(m[2]); im != nil {
		id = im[1]
	}
	return strings.TrimSpace(strings.TrimPrefix(m[1], "# ")), id
}

// attributes takes the attribute lists out of s.body (see above) and
// notes the ids they gave headings in s.headingIDs.
func (rd *reader) attributes(s *source) {
	body := s.body
	if !strings.Contains(body, "{") {
		return
	}
	code := codeRanges(body)
	lines := strings.Split(body, "\n")
	off := 0
	lastHeading := -1 // the line of the last heading, while only blank lines follow it
	for i, l := range lines {
		start := off
		off += len(l) + 1
		if inCode(code, start) {
			lastHeading = -1
			continue
		}
		if !strings.Contains(l, "{") {
			switch {
			case atxHeading.MatchString(l):
				lastHeading = i
			case strings.TrimSpace(l) != "":
				lastHeading = -1
			}
			continue
		}
		switch m := headingAttrs.FindStringSubmatch(l); {
		case m != nil:
			lines[i] = m[1]
			if im := attrID.FindStringSubmatch(m[2]); im != nil {
				s.noteHeadingID(im[1], m[1])
			}
			lastHeading = i
			continue
		case blockAttrs.MatchString(l):
			inner := strings.TrimSpace(l)
			if im := attrID.FindStringSubmatch(inner); im != nil && lastHeading >= 0 {
				s.noteHeadingID(im[1], lines[lastHeading])
			}
			if strings.Contains(inner, "toc") && i > 0 && tocItem.MatchString(lines[i-1]) {
				lines[i-1] = ""
			}
			lines[i] = ""
			continue
		}
		lines[i] = spanAttrs.ReplaceAllString(l, "$1")
		switch {
		case atxHeading.MatchString(l):
			lastHeading = i
		case strings.TrimSpace(l) != "":
			lastHeading = -1
		}
	}
	s.body = strings.Join(lines, "\n")
}

// noteHeadingID records that id names the heading written on line.
func (s *source) noteHeadingID(id, line string) {
	if s.headingIDs == nil {
		s.headingIDs = map[string]string{}
	}
	text := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#"))
	if _, ok := s.headingIDs[id]; !ok {
		s.headingIDs[id] = text
	}
}
