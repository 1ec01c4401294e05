// What the wiki knows of answers (sections of pages): votes, confirmations,
// flags and open counts in answers, and each person's latest vote on each
// answer in answervotes. See wiki/answer.go.

package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// answerRecord is the value under slug 0x00 anchor in answers.
type answerRecord struct {
	Heading       string                    `json:"heading,omitempty"`
	Versions      []answerVersionRec        `json:"versions,omitempty"`
	Confirmed     *confirmationRec          `json:"confirmed,omitempty"`
	ByCohort      map[string]int64          `json:"by_cohort,omitempty"` // cohort -> Unix ns
	Confirmations int                       `json:"confirmations,omitempty"`
	Flags         []flagRec                 `json:"flags,omitempty"`
	NextFlag      int                       `json:"next_flag,omitempty"`
	Opens         map[string]map[string]int `json:"opens,omitempty"` // source -> cohort -> count
	Queries       map[string]int            `json:"queries,omitempty"`
	LastOpen      int64                     `json:"last_open,omitempty"`
}

type answerVersionRec struct {
	Hash     string `json:"hash"`
	Revision int    `json:"revision"`
	Since    int64  `json:"since"`
	Yes      int    `json:"yes,omitempty"`
	No       int    `json:"no,omitempty"`
}

type confirmationRec struct {
	By       string `json:"by"`
	Cohort   string `json:"cohort,omitempty"`
	At       int64  `json:"at"`
	Revision int    `json:"revision"`
	Note     string `json:"note,omitempty"`
}

type flagRec struct {
	ID           int    `json:"id"`
	Note         string `json:"note"`
	By           string `json:"by"`
	Cohort       string `json:"cohort,omitempty"`
	At           int64  `json:"at"`
	Revision     int    `json:"revision"`
	Resolved     bool   `json:"resolved,omitempty"`
	ResolvedBy   string `json:"resolved_by,omitempty"`
	ResolvedNote string `json:"resolved_note,omitempty"`
	ResolvedAt   int64  `json:"resolved_at,omitempty"`
}

// voteRecord is the value under username 0x00 slug 0x00 anchor in
// answervotes: that person's latest vote on that answer.
type voteRecord struct {
	Hash     string `json:"hash"`
	Revision int    `json:"revision"`
	Helpful  bool   `json:"helpful"`
	At       int64  `json:"at"`
}

func answerKey(slug wiki.Slug, anchor string) []byte {
	return append(slugPrefix(string(slug)), anchor...)
}

func voteKey(person string, slug wiki.Slug, anchor string) []byte {
	return append(append(keyPrefix(person), slugPrefix(string(slug))...), anchor...)
}

func newAnswerRecord(r *wiki.AnswerRecord) *answerRecord {
	out := &answerRecord{Heading: r.Heading, Confirmations: r.Confirmations, NextFlag: r.NextFlag, Queries: r.Queries, LastOpen: optNanos(r.LastOpen)}
	for _, v := range r.Versions {
		out.Versions = append(out.Versions, answerVersionRec{Hash: v.Hash, Revision: v.Revision, Since: optNanos(v.Since), Yes: v.Yes, No: v.No})
	}
	if c := r.Confirmed; c != nil {
		out.Confirmed = &confirmationRec{By: c.By, Cohort: c.Cohort, At: optNanos(c.At), Revision: c.Revision, Note: c.Note}
	}
	if len(r.ByCohort) > 0 {
		out.ByCohort = map[string]int64{}
		for c, t := range r.ByCohort {
			out.ByCohort[c] = optNanos(t)
		}
	}
	for _, f := range r.Flags {
		out.Flags = append(out.Flags, flagRec{ID: f.ID, Note: f.Note, By: f.By, Cohort: f.Cohort, At: optNanos(f.At), Revision: f.Revision,
			Resolved: f.Resolved, ResolvedBy: f.ResolvedBy, ResolvedNote: f.ResolvedNote, ResolvedAt: optNanos(f.ResolvedAt)})
	}
	if len(r.Opens) > 0 {
		out.Opens = map[string]map[string]int{}
		for src, byCohort := range r.Opens {
			out.Opens[string(src)] = byCohort
		}
	}
	return out
}

func (r *answerRecord) record(slug wiki.Slug, anchor string) *wiki.AnswerRecord {
	out := &wiki.AnswerRecord{Slug: slug, Anchor: anchor, Heading: r.Heading, Confirmations: r.Confirmations, NextFlag: r.NextFlag,
		Queries: r.Queries, LastOpen: fromOptNanos(r.LastOpen)}
	for _, v := range r.Versions {
		out.Versions = append(out.Versions, wiki.AnswerVersion{Hash: v.Hash, Revision: v.Revision, Since: fromOptNanos(v.Since), Yes: v.Yes, No: v.No})
	}
	if c := r.Confirmed; c != nil {
		out.Confirmed = &wiki.Confirmation{By: c.By, Cohort: c.Cohort, At: fromOptNanos(c.At), Revision: c.Revision, Note: c.Note}
	}
	if len(r.ByCohort) > 0 {
		out.ByCohort = map[string]time.Time{}
		for c, t := range r.ByCohort {
			out.ByCohort[c] = fromOptNanos(t)
		}
	}
	for _, f := range r.Flags {
		out.Flags = append(out.Flags, wiki.Flag{ID: f.ID, Note: f.Note, By: f.By, Cohort: f.Cohort, At: fromOptNanos(f.At), Revision: f.Revision,
			Resolved: f.Resolved, ResolvedBy: f.ResolvedBy, ResolvedNote: f.ResolvedNote, ResolvedAt: fromOptNanos(f.ResolvedAt)})
	}
	if len(r.Opens) > 0 {
		out.Opens = map[wiki.OpenSource]map[string]int{}
		for src, byCohort := range r.Opens {
			out.Opens[wiki.OpenSource(src)] = byCohort
		}
	}
	return out
}

// checkAnswerKey returns a *wiki.ValidationError if slug and anchor
// cannot name a record.
func checkAnswerKey(slug wiki.Slug, anchor string) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "slug", string(slug))
	if strings.IndexByte(anchor, 0) >= 0 {
		v.Add("anchor", "contains a NUL byte")
	}
	return validationResult(v)
}

// decodeAnswer reads the record under k (slug 0x00 anchor).
func decodeAnswer(k, v []byte) (*wiki.AnswerRecord, error) {
	slug, anchor, ok := bytes.Cut(k, []byte{0})
	if !ok {
		return nil, fmt.Errorf("corrupt answer key %q", k)
	}
	var r answerRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("decode answer %q: %w", k, err)
	}
	return r.record(wiki.Slug(slug), string(anchor)), nil
}

// PageAnswers returns, in one read transaction, the record of every
// answer of slug that has one and person's votes on them, by anchor.
func (db *DB) PageAnswers(ctx context.Context, slug wiki.Slug, person string) (map[string]*wiki.AnswerRecord, map[string]*wiki.HelpfulVote, error) {
	recs := map[string]*wiki.AnswerRecord{}
	votes := map[string]*wiki.HelpfulVote{}
	if err := checkAnswerKey(slug, ""); err != nil {
		return nil, nil, fmt.Errorf("store: page answers: %w", err)
	}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAnswers)
		if err != nil {
			return err
		}
		prefix := slugPrefix(string(slug))
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			r, err := decodeAnswer(k, v)
			if err != nil {
				return err
			}
			recs[r.Anchor] = r
		}
		if person == "" || strings.IndexByte(person, 0) >= 0 {
			return nil
		}
		vb, err := bucket(tx, bucketAnswerVotes)
		if err != nil {
			return err
		}
		vprefix := voteKey(person, slug, "")
		c = vb.Cursor()
		for k, v := c.Seek(vprefix); k != nil && bytes.HasPrefix(k, vprefix); k, v = c.Next() {
			var vr voteRecord
			if err := json.Unmarshal(v, &vr); err != nil {
				return fmt.Errorf("decode vote %q: %w", k, err)
			}
			anchor := string(k[len(vprefix):])
			votes[anchor] = &wiki.HelpfulVote{Person: person, Slug: slug, Anchor: anchor, Hash: vr.Hash, Revision: vr.Revision, Helpful: vr.Helpful, At: fromOptNanos(vr.At)}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: page answers %q: %w", slug, err)
	}
	return recs, votes, nil
}

// AllAnswers returns every answer record, by slug and anchor.
func (db *DB) AllAnswers(ctx context.Context) ([]*wiki.AnswerRecord, error) {
	var out []*wiki.AnswerRecord
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAnswers)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			r, err := decodeAnswer(k, v)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: answers: %w", err)
	}
	return out, nil
}

// getAnswer returns the record of slug's anchor in b, or a new one.
func getAnswer(b *bbolt.Bucket, slug wiki.Slug, anchor string) (*wiki.AnswerRecord, error) {
	k := answerKey(slug, anchor)
	v := b.Get(k)
	if v == nil {
		return &wiki.AnswerRecord{Slug: slug, Anchor: anchor}, nil
	}
	return decodeAnswer(k, v)
}

func checkAnswerTimes(r *wiki.AnswerRecord) error {
	v := &wiki.ValidationError{}
	addTimeProblem(v, "last_open", r.LastOpen)
	for _, ver := range r.Versions {
		addTimeProblem(v, "since", ver.Since)
	}
	if r.Confirmed != nil {
		addTimeProblem(v, "confirmed_at", r.Confirmed.At)
	}
	for _, t := range r.ByCohort {
		addTimeProblem(v, "confirmed_at", t)
	}
	for _, f := range r.Flags {
		addTimeProblem(v, "flagged_at", f.At)
		addTimeProblem(v, "resolved_at", f.ResolvedAt)
	}
	return validationResult(v)
}

func putAnswer(b *bbolt.Bucket, slug wiki.Slug, anchor string, r *wiki.AnswerRecord) error {
	if err := checkAnswerTimes(r); err != nil {
		return err
	}
	return putJSON(b, answerKey(slug, anchor), newAnswerRecord(r))
}

// UpdateAnswers applies fn to the record of each key (an empty one where
// none exists) and saves them all in one transaction; fn's error aborts it.
func (db *DB) UpdateAnswers(ctx context.Context, keys []wiki.SectionKey, fn func(i int, r *wiki.AnswerRecord) error) error {
	for _, k := range keys {
		if err := checkAnswerKey(k.Slug, k.Anchor); err != nil {
			return fmt.Errorf("store: update answers: %w", err)
		}
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAnswers)
		if err != nil {
			return err
		}
		for i, k := range keys {
			r, err := getAnswer(b, k.Slug, k.Anchor)
			if err != nil {
				return err
			}
			if err := fn(i, r); err != nil {
				return err
			}
			if err := putAnswer(b, k.Slug, k.Anchor, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: update answers: %w", err)
	}
	return nil
}

// Vote applies fn to the record of v's answer and the person's earlier
// vote on it, then stores v as their vote and the record, in one
// transaction; fn's error aborts it.
func (db *DB) Vote(ctx context.Context, v *wiki.HelpfulVote, fn func(prev *wiki.HelpfulVote, r *wiki.AnswerRecord) error) (*wiki.AnswerRecord, error) {
	if err := checkAnswerKey(v.Slug, v.Anchor); err != nil {
		return nil, fmt.Errorf("store: vote: %w", err)
	}
	if err := checkKey("person", v.Person); err != nil {
		return nil, fmt.Errorf("store: vote: %w", err)
	}
	if !v.At.IsZero() && !timeInRange(v.At) {
		return nil, fmt.Errorf("store: vote: %w", wiki.Invalid("at", "is outside the years 1678 to 2262"))
	}
	var rec *wiki.AnswerRecord
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketAnswers)
		if err != nil {
			return err
		}
		vb, err := bucket(tx, bucketAnswerVotes)
		if err != nil {
			return err
		}
		key := voteKey(v.Person, v.Slug, v.Anchor)
		var prev *wiki.HelpfulVote
		if old := vb.Get(key); old != nil {
			var vr voteRecord
			if err := json.Unmarshal(old, &vr); err != nil {
				return fmt.Errorf("decode vote %q: %w", key, err)
			}
			prev = &wiki.HelpfulVote{Person: v.Person, Slug: v.Slug, Anchor: v.Anchor, Hash: vr.Hash, Revision: vr.Revision, Helpful: vr.Helpful, At: fromOptNanos(vr.At)}
		}
		if rec, err = getAnswer(b, v.Slug, v.Anchor); err != nil {
			return err
		}
		if err := fn(prev, rec); err != nil {
			return err
		}
		if err := putAnswer(b, v.Slug, v.Anchor, rec); err != nil {
			return err
		}
		return putJSON(vb, key, &voteRecord{Hash: v.Hash, Revision: v.Revision, Helpful: v.Helpful, At: optNanos(v.At)})
	})
	if err != nil {
		return nil, fmt.Errorf("store: vote on %s#%s: %w", v.Slug, v.Anchor, err)
	}
	return rec, nil
}

var _ wiki.AnswerStore = (*DB)(nil)
