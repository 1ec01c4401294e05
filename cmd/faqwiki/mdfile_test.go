package main

import "testing"

func TestSlugFromPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"travel-and-leave/fmla.md", "travel-and-leave/fmla"},
		{"Travel/Per Diem.md", "travel/per-diem"},
		{"travel/index.md", "travel"},
		{"index.md", "index"},
		{"getting_started.md", "getting-started"},
		{`tools\slack.md`, "tools/slack"},
	}
	for _, tt := range tests {
		got, err := slugFromPath(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("slugFromPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := slugFromPath("日本.md"); err == nil {
		t.Error("a path with no usable characters was accepted")
	}
}

func TestSplitTitleAndFileTextRoundTrip(t *testing.T) {
	tests := []struct{ file, title, body string }{
		{"# FMLA\n\nIf you have...\n", "FMLA", "If you have...\n"},
		{"\ufeff# Title #\r\n\r\nbody\r\n", "Title", "body\n"},
		{"no heading\n# later\n", "", "no heading\n# later\n"},
		{"## not a title\n", "", "## not a title\n"},
		{"# Only a title\n", "Only a title", ""},
	}
	for _, tt := range tests {
		title, body := splitTitle(tt.file)
		if title != tt.title || body != tt.body {
			t.Errorf("splitTitle(%q) = %q, %q; want %q, %q", tt.file, title, body, tt.title, tt.body)
		}
		if title == "" {
			continue
		}
		t2, b2 := splitTitle(fileText(title, body))
		if t2 != title || b2 != body {
			t.Errorf("round trip of %q gave %q, %q", tt.file, t2, b2)
		}
	}
}
