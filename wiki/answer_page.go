package wiki

import (
	"context"
	"hash/fnv"
	"strconv"

	"github.com/faqwiki/faqwiki/wiki/markdown"
)

// What a page view shows of its answers: each one's votes, confirmation
// and open flags, and the reader's own vote, read once a render and kept
// until an answer record is written.

// AnswerState is an answer as its page shows it.
type AnswerState struct {
	Slug     Slug
	Title    string // the page's
	Anchor   string
	Heading  string
	Hash     string
	Revision int
	// Votes on this version of the text, and on every version.
	Yes, No       int
	AllYes, AllNo int
	// MyVote is the reader's vote on this version: "yes", "no" or "".
	MyVote    string
	Confirmed *Confirmation
	Flags     []Flag // open
	Record    *AnswerRecord
}

// PageAnswers is what a page's view shows of its answers.
type PageAnswers struct {
	States  map[string]*AnswerState // by anchor, for every part of AnswerParts
	Flagged []*AnswerState          // the answers with open flags, in page order
	// Version names everything States shows (votes, the reader's own,
	// confirmations, flags): equal versions draw the same boxes.
	Version string
}

// pageAnswersEntry is a PageAnswers answer kept for the next view.
type pageAnswersEntry struct {
	gen uint64
	rev int
	r   *markdown.Rendered
	pa  *PageAnswers
}

// PageAnswers returns the state of the answers of a page's current
// revision, rendered as r, for the person in ctx, in one read of the
// store, or none while no answer changed since the last view of the same
// render by the same person. The answer is shared: callers must not
// change it.
func (a *Answers) PageAnswers(ctx context.Context, p *Page, r *markdown.Rendered) (*PageAnswers, error) {
	u := UserFromContext(ctx)
	person := ""
	if u.SignedIn() {
		person = u.Name
	}
	// The key is made on every view: on the stack, a string only when kept.
	var stack [128]byte
	key := append(append(append(stack[:0], p.Slug...), 0), person...)
	gen := a.gen.Load() // before the read: a write after it makes a newer one
	if e, ok := a.views.GetBytes(key); ok && e.gen == gen && e.rev == p.Revision && e.r == r {
		return e.pa, nil
	}
	recs, votes, err := a.store.PageAnswers(ctx, p.Slug, person)
	if err != nil {
		return nil, err
	}
	out := pageAnswers(p, r, recs, votes)
	a.views.Put(string(key), pageAnswersEntry{gen: gen, rev: p.Revision, r: r, pa: out}, len(key)+128+256*len(out.States))
	return out, nil
}

// pageAnswers is PageAnswers from the records and votes read.
func pageAnswers(p *Page, r *markdown.Rendered, recs map[string]*AnswerRecord, votes map[string]*HelpfulVote) *PageAnswers {
	out := &PageAnswers{States: map[string]*AnswerState{}}
	h := fnv.New64a()
	for _, s := range AnswerParts(r) {
		st := state(p, s.OutlineSection, recs[s.Anchor], votes[s.Anchor])
		out.States[s.Anchor] = st
		if len(st.Flags) > 0 {
			out.Flagged = append(out.Flagged, st)
		}
		// A word for each thing a box shows; 0 between them.
		buf := make([]byte, 0, 128)
		word := func(s string) { buf = append(append(buf, s...), 0) }
		num := func(n int64) { buf = append(strconv.AppendInt(buf, n, 36), 0) }
		word(st.Anchor)
		word(st.Hash)
		num(int64(st.Yes))
		num(int64(st.No))
		word(st.MyVote)
		if c := st.Confirmed; c != nil {
			word(c.By)
			word(c.Cohort)
			num(c.At.UnixNano())
		}
		for _, f := range st.Flags {
			num(int64(f.ID))
			word(f.By)
			word(f.Cohort)
			word(f.Note)
			num(f.At.UnixNano())
		}
		h.Write(append(buf, 1))
	}
	out.Version = strconv.FormatUint(h.Sum64(), 36)
	return out
}

func state(p *Page, s markdown.OutlineSection, rec *AnswerRecord, vote *HelpfulVote) *AnswerState {
	st := &AnswerState{Slug: p.Slug, Title: p.Title, Anchor: s.Anchor, Heading: s.Heading, Hash: s.Hash, Revision: p.Revision, Record: rec}
	if rec != nil {
		if v := rec.Version(s.Hash); v != nil {
			st.Yes, st.No = v.Yes, v.No
		}
		st.AllYes, st.AllNo = rec.Votes()
		st.Confirmed, st.Flags = rec.Confirmed, rec.OpenFlags()
	}
	if vote != nil && vote.Hash == s.Hash {
		st.MyVote = "no"
		if vote.Helpful {
			st.MyVote = "yes"
		}
	}
	return st
}
