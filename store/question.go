// Questions (questions, with askerquestions indexing them by asker) and
// the status of search gaps (gaps): see wiki/question.go and wiki/gap.go.

package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/faqwiki/faqwiki/wiki"
)

// questionRecord is a question, the value under its id in questions.
type questionRecord struct {
	Text        string         `json:"text"`
	Status      string         `json:"status"`
	Asker       string         `json:"asker"`
	Cohort      string         `json:"cohort,omitempty"`
	AskedAt     int64          `json:"asked_at"`
	Voters      []string       `json:"voters,omitempty"`
	LastAt      int64          `json:"last_at"`
	FromSearch  string         `json:"from_search,omitempty"`
	Wordings    []string       `json:"wordings,omitempty"`
	Answer      *answerLinkRec `json:"answer,omitempty"`
	DuplicateOf int64          `json:"duplicate_of,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	ClosedBy    string         `json:"closed_by,omitempty"`
	ClosedAt    int64          `json:"closed_at,omitempty"`
	AnswerSeen  bool           `json:"answer_seen,omitempty"`
}

type answerLinkRec struct {
	Slug     string `json:"slug"`
	Anchor   string `json:"anchor,omitempty"`
	By       string `json:"by"`
	At       int64  `json:"at"`
	Revision int    `json:"revision,omitempty"`
}

// optNanos is t as Unix ns, 0 for the zero time; fromOptNanos reverses it.
func optNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return nanos(t)
}

func fromOptNanos(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return fromNanos(ns)
}

func newAnswerLinkRec(a *wiki.AnswerLink) *answerLinkRec {
	if a == nil {
		return nil
	}
	return &answerLinkRec{Slug: string(a.Slug), Anchor: a.Anchor, By: a.By, At: optNanos(a.At), Revision: a.Revision}
}

func (r *answerLinkRec) link() *wiki.AnswerLink {
	if r == nil {
		return nil
	}
	return &wiki.AnswerLink{Slug: wiki.Slug(r.Slug), Anchor: r.Anchor, By: r.By, At: fromOptNanos(r.At), Revision: r.Revision}
}

func newQuestionRecord(q *wiki.Question) *questionRecord {
	return &questionRecord{
		Text: q.Text, Status: string(q.Status), Asker: q.Asker, Cohort: q.Cohort, AskedAt: optNanos(q.AskedAt),
		Voters: q.Voters, LastAt: optNanos(q.LastAt), FromSearch: q.FromSearch, Wordings: q.Wordings,
		Answer: newAnswerLinkRec(q.Answer), DuplicateOf: q.DuplicateOf, Reason: q.Reason, ClosedBy: q.ClosedBy,
		ClosedAt: optNanos(q.ClosedAt), AnswerSeen: q.AnswerSeen,
	}
}

func (r *questionRecord) question(id int64) *wiki.Question {
	q := &wiki.Question{
		ID: id, Text: r.Text, Status: wiki.QuestionStatus(r.Status), Asker: r.Asker, Cohort: r.Cohort,
		AskedAt: fromOptNanos(r.AskedAt), Voters: r.Voters, LastAt: fromOptNanos(r.LastAt), FromSearch: r.FromSearch,
		Wordings: r.Wordings, Answer: r.Answer.link(), DuplicateOf: r.DuplicateOf, Reason: r.Reason, ClosedBy: r.ClosedBy,
		ClosedAt: fromOptNanos(r.ClosedAt), AnswerSeen: r.AnswerSeen,
	}
	if q.Voters == nil {
		q.Voters = []string{}
	}
	if q.Wordings == nil {
		q.Wordings = []string{}
	}
	return q
}

// checkQuestion returns a *wiki.ValidationError if q cannot be stored.
func checkQuestion(q *wiki.Question) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "asker", q.Asker)
	addKeyProblem(v, "text", q.Text)
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"asked_at", q.AskedAt}, {"last_at", q.LastAt}, {"closed_at", q.ClosedAt}} {
		addTimeProblem(v, f.name, f.t)
	}
	if q.Answer != nil {
		addKeyProblem(v, "answer.slug", string(q.Answer.Slug))
		addTimeProblem(v, "answer.at", q.Answer.At)
	}
	return validationResult(v)
}

func questionKey(id int64) []byte { return u64(uint64(id)) }

func askerKey(username string, id int64) []byte {
	return binary.BigEndian.AppendUint64(keyPrefix(username), uint64(id))
}

func getQuestion(tx *bbolt.Tx, id int64) (*wiki.Question, error) {
	b, err := bucket(tx, bucketQuestions)
	if err != nil {
		return nil, err
	}
	v := b.Get(questionKey(id))
	if v == nil {
		return nil, fmt.Errorf("question %d: %w", id, wiki.ErrNotFound)
	}
	var r questionRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("decode question %d: %w", id, err)
	}
	return r.question(id), nil
}

func putQuestion(tx *bbolt.Tx, q *wiki.Question) error {
	if err := checkQuestion(q); err != nil {
		return err
	}
	b, err := bucket(tx, bucketQuestions)
	if err != nil {
		return err
	}
	return putJSON(b, questionKey(q.ID), newQuestionRecord(q))
}

// CreateQuestion stores a new question with the next id and sets q.ID. A
// *wiki.ValidationError if it has no asker or text.
func (db *DB) CreateQuestion(ctx context.Context, q *wiki.Question) error {
	if err := checkQuestion(q); err != nil {
		return fmt.Errorf("store: create question: %w", err)
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketQuestions)
		if err != nil {
			return err
		}
		byAsker, err := bucket(tx, bucketAskerQuestions)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		q.ID = int64(seq)
		if err := putQuestion(tx, q); err != nil {
			return err
		}
		return byAsker.Put(askerKey(q.Asker, q.ID), empty)
	})
	if err != nil {
		q.ID = 0
		return fmt.Errorf("store: create question: %w", err)
	}
	return nil
}

// Question returns a question by id, or an error wrapping
// wiki.ErrNotFound.
func (db *DB) Question(ctx context.Context, id int64) (*wiki.Question, error) {
	var q *wiki.Question
	err := db.view(ctx, func(tx *bbolt.Tx) (err error) {
		q, err = getQuestion(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return q, nil
}

// Questions returns every question, newest first.
func (db *DB) Questions(ctx context.Context) ([]*wiki.Question, error) {
	out := []*wiki.Question{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketQuestions)
		if err != nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if len(k) != 8 {
				return fmt.Errorf("corrupt question key %q", k)
			}
			var r questionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode question %x: %w", k, err)
			}
			out = append(out, r.question(int64(binary.BigEndian.Uint64(k))))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: questions: %w", err)
	}
	return out, nil
}

// QuestionsBy returns the questions username asked, newest first.
func (db *DB) QuestionsBy(ctx context.Context, username string) ([]*wiki.Question, error) {
	out := []*wiki.Question{}
	if err := checkKey("username", username); err != nil {
		return out, nil
	}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		byAsker, err := bucket(tx, bucketAskerQuestions)
		if err != nil {
			return err
		}
		prefix := keyPrefix(username)
		c := byAsker.Cursor()
		var ids []int64
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) != len(prefix)+8 {
				return fmt.Errorf("corrupt asker key %q", k)
			}
			ids = append(ids, int64(binary.BigEndian.Uint64(k[len(prefix):])))
		}
		slices.Reverse(ids)
		for _, id := range ids {
			q, err := getQuestion(tx, id)
			if err != nil {
				return err
			}
			out = append(out, q)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: questions by %q: %w", username, err)
	}
	return out, nil
}

// UpdateQuestion applies fn to question id and saves it, in one
// transaction; fn's error aborts it (and is returned). The asker and id
// cannot change.
func (db *DB) UpdateQuestion(ctx context.Context, id int64, fn func(*wiki.Question) error) (*wiki.Question, error) {
	var q *wiki.Question
	err := db.update(ctx, func(tx *bbolt.Tx) (err error) {
		if q, err = getQuestion(tx, id); err != nil {
			return err
		}
		asker := q.Asker
		if err := fn(q); err != nil {
			return err
		}
		q.ID, q.Asker = id, asker
		return putQuestion(tx, q)
	})
	if err != nil {
		return nil, fmt.Errorf("store: update question %d: %w", id, err)
	}
	return q, nil
}

// MergeQuestion applies fn to questions from and into and saves both, in
// one transaction.
func (db *DB) MergeQuestion(ctx context.Context, from, into int64, fn func(from, into *wiki.Question) error) error {
	if from == into {
		return fmt.Errorf("store: merge question %d into itself: %w", from, wiki.Invalid("duplicate_of", "is the question itself"))
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		f, err := getQuestion(tx, from)
		if err != nil {
			return err
		}
		t, err := getQuestion(tx, into)
		if err != nil {
			return err
		}
		fa, ta := f.Asker, t.Asker
		if err := fn(f, t); err != nil {
			return err
		}
		f.ID, f.Asker, t.ID, t.Asker = from, fa, into, ta
		if err := putQuestion(tx, f); err != nil {
			return err
		}
		return putQuestion(tx, t)
	})
	if err != nil {
		return fmt.Errorf("store: merge question %d into %d: %w", from, into, err)
	}
	return nil
}

// gapRecord is the status of a search gap, the value under its
// normalized query in gaps.
type gapRecord struct {
	Status   string         `json:"status"`
	Reason   string         `json:"reason,omitempty"`
	Into     string         `json:"into,omitempty"`
	Answer   *answerLinkRec `json:"answer,omitempty"`
	By       string         `json:"by"`
	At       int64          `json:"at"`
	People   int            `json:"people,omitempty"`
	Searches int            `json:"searches,omitempty"`
	LastAt   int64          `json:"last_at,omitempty"`
}

// GapRecords returns every search gap's status record, by query.
func (db *DB) GapRecords(ctx context.Context) (map[string]*wiki.GapRecord, error) {
	out := map[string]*wiki.GapRecord{}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketGaps)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var r gapRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode gap %q: %w", k, err)
			}
			q := string(k)
			out[q] = &wiki.GapRecord{Query: q, Status: wiki.GapStatus(r.Status), Reason: r.Reason, Into: r.Into, Answer: r.Answer.link(),
				By: r.By, At: fromOptNanos(r.At), People: r.People, Searches: r.Searches, LastAt: fromOptNanos(r.LastAt)}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: gaps: %w", err)
	}
	return out, nil
}

// PutGapRecord stores the record of r.Query, replacing any earlier one.
func (db *DB) PutGapRecord(ctx context.Context, r *wiki.GapRecord) error {
	v := &wiki.ValidationError{}
	addKeyProblem(v, "query", r.Query)
	addTimeProblem(v, "at", r.At)
	addTimeProblem(v, "last_at", r.LastAt)
	if err := validationResult(v); err != nil {
		return fmt.Errorf("store: put gap %q: %w", r.Query, err)
	}
	rec := &gapRecord{Status: string(r.Status), Reason: r.Reason, Into: r.Into, Answer: newAnswerLinkRec(r.Answer), By: r.By,
		At: optNanos(r.At), People: r.People, Searches: r.Searches, LastAt: optNanos(r.LastAt)}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketGaps)
		if err != nil {
			return err
		}
		return putJSON(b, []byte(r.Query), rec)
	})
	if err != nil {
		return fmt.Errorf("store: put gap %q: %w", r.Query, err)
	}
	return nil
}

// DeleteGapRecord removes the record of query; a missing one is no error.
func (db *DB) DeleteGapRecord(ctx context.Context, query string) error {
	if query == "" {
		return nil
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b, err := bucket(tx, bucketGaps)
		if err != nil {
			return err
		}
		return b.Delete([]byte(query))
	})
	if err != nil {
		return fmt.Errorf("store: delete gap %q: %w", query, err)
	}
	return nil
}

var _ wiki.QuestionStore = (*DB)(nil)
