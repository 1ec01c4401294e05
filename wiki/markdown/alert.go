package markdown

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// GitHub's alerts: a block quote whose first line is [!NOTE], [!TIP],
// [!IMPORTANT], [!WARNING] or [!CAUTION] is a call-out box with that
// title:
//
//	> [!IMPORTANT]
//	> Bring your ID on the first day.
//
// renders as <div class="markdown-alert markdown-alert-important"
// role="note"><p class="markdown-alert-title">Important</p><p>Bring…</p></div>.

var kindAlert = ast.NewNodeKind("Alert")

// alert is a block quote turned into a call-out.
type alert struct {
	ast.BaseBlock
	kind string // "note", "tip", "important", "warning" or "caution"
}

func (n *alert) Kind() ast.NodeKind { return kindAlert }

func (n *alert) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Kind": n.kind}, nil)
}

// alertTitles are the alert kinds and the titles shown for them.
var alertTitles = map[string]string{
	"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning", "caution": "Caution",
}

// alertTransformer turns marked block quotes into alerts.
type alertTransformer struct{}

func (alertTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if q, ok := n.(*ast.Blockquote); ok && entering {
			quotes = append(quotes, q)
		}
		return ast.WalkContinue, nil
	})
	for _, q := range quotes {
		para, ok := q.FirstChild().(*ast.Paragraph)
		if !ok || para.Lines().Len() == 0 {
			continue
		}
		first := para.Lines().At(0)
		kind := alertKind(first.Value(src))
		if kind == "" {
			continue
		}
		// Drop the marker line's inline nodes: those that start before
		// the second line.
		for c := para.FirstChild(); c != nil; {
			next := c.NextSibling()
			if start := inlineStart(c); start < 0 || start >= first.Stop {
				break
			}
			para.RemoveChild(para, c)
			c = next
		}
		if para.ChildCount() == 0 {
			q.RemoveChild(q, para)
		}
		a := &alert{kind: kind}
		for c := q.FirstChild(); c != nil; {
			next := c.NextSibling()
			a.AppendChild(a, c)
			c = next
		}
		q.Parent().ReplaceChild(q.Parent(), q, a)
	}
}

// inlineStart returns the source offset where an inline node's text
// starts, or -1.
func inlineStart(n ast.Node) int {
	for c := n; c != nil; c = c.FirstChild() {
		if t, ok := c.(*ast.Text); ok {
			return t.Segment.Start
		}
	}
	return -1
}

// alertKind returns the kind a block quote's first line marks, or "".
func alertKind(line []byte) string {
	line = bytes.TrimSpace(line)
	if len(line) < 4 || line[0] != '[' || line[1] != '!' || line[len(line)-1] != ']' {
		return ""
	}
	kind := string(bytes.ToLower(line[2 : len(line)-1]))
	if _, ok := alertTitles[kind]; !ok {
		return ""
	}
	return kind
}

// alertRenderer renders alerts.
type alertRenderer struct{}

func (alertRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindAlert, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		n := node.(*alert)
		if entering {
			_, _ = w.WriteString(`<div class="markdown-alert markdown-alert-` + n.kind + `" role="note">` + "\n")
			_, _ = w.WriteString(`<p class="markdown-alert-title">` + alertTitles[n.kind] + "</p>\n")
		} else {
			_, _ = w.WriteString("</div>\n")
		}
		return ast.WalkContinue, nil
	})
}
