package importer

import (
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
)

func TestConvertHTMLTables(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"office details with markdown in cells", `Intro

  <table class="table-office-metadata">
    <tbody>
      <tr>
        <td class="col-key">**Location**</td>
        <td class="col-value">
        230 S. Dearborn St., 35th floor SW<br />
        Chicago, IL 60604
        </td>
      </tr>
      <tr>
        <td>**Point of contact**</td>
        <td>[Dave](mailto:x@example.gov) | desk</td>
      </tr>
    </tbody>
  </table>

After`, "Intro\n\n\n|  |  |\n|---|---|\n| **Location** | 230 S. Dearborn St., 35th floor SW<br>Chicago, IL 60604 |\n| **Point of contact** | [Dave](mailto:x@example.gov) \\| desk |\n\n\nAfter"},
		{"header row of th", "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
			"\n| A | B |\n|---|---|\n| 1 | 2 |\n"},
		{"row headers become bold", "<table><tr><th>Hiring</th><td>Improving hiring.</td></tr></table>",
			"\n|  |  |\n|---|---|\n| **Hiring** | Improving hiring. |\n"},
		{"nested table left alone", "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>",
			"<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>"},
		{"stray content left alone", "<table><caption>c</caption><tr><td>x</td></tr></table>",
			"<table><caption>c</caption><tr><td>x</td></tr></table>"},
		{"no table", "plain *text*", "plain *text*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := convertHTMLTables(tt.in); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestConvertedTablesRender(t *testing.T) {
	md := convertHTMLTables("<table><tr><td>**Location**</td><td>Floor 35<br/>Chicago</td></tr></table>")
	r, err := wiki.NewRenderer().Render(md, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := string(r.HTML)
	for _, want := range []string{"<table>", "<strong>Location</strong>", "Floor 35<br>Chicago"} {
		if !strings.Contains(h, want) {
			t.Errorf("rendered table lacks %q:\n%s", want, h)
		}
	}
}
