package importer

import (
	"regexp"
	"strings"
)

// Markdown written for other sites sometimes holds HTML tables (the TTS
// handbook lays out office details that way, with Markdown inside the
// cells). faqwiki never renders raw HTML, so such a table would vanish;
// convertHTMLTables turns simple ones into GFM pipe tables when pages are
// imported.

var (
	htmlTableRe = regexp.MustCompile(`(?is)[ \t]*<table\b[^>]*>(.*?)</table\s*>`)
	htmlRowRe   = regexp.MustCompile(`(?is)<tr\b[^>]*>(.*?)</tr\s*>`)
	htmlCellRe  = regexp.MustCompile(`(?is)<(td|th)\b[^>]*>(.*?)</(?:td|th)\s*>`)
	htmlBrRe    = regexp.MustCompile(`(?i)<br\s*/?>`)
	htmlWrapRe  = regexp.MustCompile(`(?is)</?(?:thead|tbody|tfoot)\b[^>]*>`)
)

// convertHTMLTables rewrites each simple HTML table in md (rows of td/th
// cells, nothing nested) as a GFM table. A first row made only of th cells
// becomes the header; otherwise the header is empty and th cells are bold.
// Line breaks inside a cell become <br>; tables it cannot read stay as they
// are.
func convertHTMLTables(md string) string {
	if !strings.Contains(strings.ToLower(md), "<table") {
		return md
	}
	return htmlTableRe.ReplaceAllStringFunc(md, func(table string) string {
		inner := htmlTableRe.FindStringSubmatch(table)[1]
		if strings.Contains(strings.ToLower(inner), "<table") {
			return table
		}
		var rows [][]string
		var headerRow bool
		rest := htmlWrapRe.ReplaceAllString(inner, "")
		for i, row := range htmlRowRe.FindAllStringSubmatch(rest, -1) {
			cells := htmlCellRe.FindAllStringSubmatch(row[1], -1)
			if len(cells) == 0 {
				continue
			}
			allTH := true
			var out []string
			for _, c := range cells {
				allTH = allTH && strings.EqualFold(c[1], "th")
				out = append(out, c[2])
			}
			if i == 0 && allTH {
				headerRow = true
			} else {
				for j, c := range cells {
					if strings.EqualFold(c[1], "th") && strings.TrimSpace(out[j]) != "" {
						out[j] = "**" + strings.TrimSpace(out[j]) + "**"
					}
				}
			}
			rows = append(rows, out)
		}
		// Anything but rows and whitespace left over: not a simple table.
		if len(rows) == 0 || strings.TrimSpace(htmlRowRe.ReplaceAllString(rest, "")) != "" {
			return table
		}
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		var b strings.Builder
		b.WriteString("\n")
		writeRow := func(cells []string) {
			b.WriteString("|")
			for j := 0; j < width; j++ {
				cell := ""
				if j < len(cells) {
					cell = tableCell(cells[j])
				}
				b.WriteString(" " + cell + " |")
			}
			b.WriteString("\n")
		}
		if headerRow {
			writeRow(rows[0])
			rows = rows[1:]
		} else {
			writeRow(nil)
		}
		b.WriteString("|" + strings.Repeat("---|", width) + "\n")
		for _, r := range rows {
			writeRow(r)
		}
		return b.String()
	})
}

// tableCell makes a cell's content fit on one line of a pipe table.
func tableCell(s string) string {
	s = htmlBrRe.ReplaceAllString(s, "\x00")
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, " \x00 ", "<br>")
	s = strings.ReplaceAll(s, "\x00 ", "<br>")
	s = strings.ReplaceAll(s, " \x00", "<br>")
	s = strings.ReplaceAll(s, "\x00", "<br>")
	s = strings.TrimSuffix(s, "<br>")
	return strings.ReplaceAll(s, "|", `\|`)
}
