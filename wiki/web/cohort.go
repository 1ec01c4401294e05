package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// cohortsPage is the data of cohorts.html.
type cohortsPage struct {
	BasePage
	Cohorts []wiki.CohortSummary
	Form    cohortForm
	Errors  map[string]string
	// Missing are trainers the form named who have no account yet, for
	// the page to offer to invite them.
	Missing []string
}

// cohortForm is what the new-cohort form (and POST /api/v1/cohorts) sends.
type cohortForm struct {
	ID       string   `form:"id" json:"id"`
	Name     string   `form:"name" json:"name"`
	StartsOn string   `form:"starts_on" json:"starts_on"`
	Trainers []string `form:"-" json:"trainers"`
	// TrainerList is the form's comma-separated field.
	TrainerList string `form:"trainers" json:"-"`
}

func (s *Server) handleCohorts(c *gin.Context) {
	s.showCohorts(c, http.StatusOK, cohortForm{StartsOn: time.Now().UTC().Format("2006-01-02")}, nil)
}

func (s *Server) showCohorts(c *gin.Context, status int, f cohortForm, errs map[string]string) {
	list, err := s.cohorts.Summaries(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if f.TrainerList == "" && wiki.UserFromContext(c.Request.Context()).Has(wiki.RoleTrainer) {
		f.TrainerList = wiki.UserFromContext(c.Request.Context()).Name
	}
	v := &cohortsPage{BasePage: s.base(c, "Cohorts"), Cohorts: list, Form: f, Errors: errs}
	if errs != nil {
		n, _ := parseCohortForm(f)
		for _, t := range n.Trainers {
			t = strings.ToLower(strings.TrimSpace(t))
			if _, err := wiki.ParseUsername(t); err != nil {
				continue
			}
			if _, err := s.accounts.Account(c.Request.Context(), t); errors.Is(err, wiki.ErrNotFound) {
				v.Missing = append(v.Missing, t)
			}
		}
	}
	s.render(c, status, "cohorts.html", v)
}

func parseCohortForm(f cohortForm) (wiki.NewCohort, error) {
	n := wiki.NewCohort{ID: strings.TrimSpace(f.ID), Name: f.Name, Trainers: f.Trainers}
	if f.TrainerList != "" {
		n.Trainers = strings.FieldsFunc(f.TrainerList, func(r rune) bool { return r == ',' || r == ' ' })
	}
	if strings.TrimSpace(f.StartsOn) != "" {
		t, err := time.Parse("2006-01-02", strings.TrimSpace(f.StartsOn))
		if err != nil {
			return n, wiki.Invalid("starts_on", "must be a date like 2026-11-30")
		}
		n.StartsOn = t
	}
	return n, nil
}

func (s *Server) handleCohortCreate(c *gin.Context) {
	var f cohortForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	n, err := parseCohortForm(f)
	var co *wiki.Cohort
	if err == nil {
		co, err = s.cohorts.Create(c.Request.Context(), n)
	}
	if err != nil {
		show := func(status int, errs map[string]string) { s.showCohorts(c, status, f, errs) }
		s.failForm(c, err, show, map[string]string{"id": "is taken by another cohort"})
		return
	}
	s.setFlash(c, "Created the cohort. Send its new hires the invite link below.")
	c.Redirect(http.StatusSeeOther, cohortURL(co.ID))
}

// cohortPage is the data of cohort.html: a cohort's hand-over.
type cohortPage struct {
	BasePage
	H         *wiki.Handover
	InviteURL string // only for trainers
	Others    []*wiki.Cohort
	AsOf      string // RFC 3339 time of the cohort's start, for as-of links
	Accounts  []*wiki.Account
	IsTrainer bool
	Reading   []wiki.Slug // the pages its members must read (watching.go)
	// Offer is about a trainer someone tried to add (people.go).
	Offer *trainerOffer
	// What it hands on and what the cohort before handed on, and what its
	// answers did (issue 10); nil when those features are off.
	HandOn, PrevHandOn *wiki.HandOn
	LeavesOpen, Left   []questionRow // their open questions, as rows
	Impact             *wiki.Impact
}

func (s *Server) handleCohort(c *gin.Context) {
	s.showCohort(c, http.StatusOK, nil)
}

func (s *Server) showCohort(c *gin.Context, status int, offer *trainerOffer) {
	ctx := c.Request.Context()
	h, err := s.cohorts.Handover(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &cohortPage{BasePage: s.base(c, h.Cohort.Name), H: h, AsOf: h.InheritedAt.Format(time.RFC3339Nano), Offer: offer}
	if v.Reading, err = s.wiki.CohortReading(ctx, h.Cohort.ID); err != nil {
		s.fail(c, err)
		return
	}
	if !s.handOn(c, v) {
		return
	}
	if wiki.UserFromContext(ctx).Has(wiki.RoleTrainer) {
		v.IsTrainer = true
		v.InviteURL = s.origin(c) + inviteURL(h.Cohort.InviteCode)
		if v.Others, err = s.cohorts.List(ctx); err != nil {
			s.fail(c, err)
			return
		}
		if v.Accounts, err = s.accounts.List(ctx); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.render(c, status, "cohort.html", v)
}

// handOn fills in what the cohort (and the one before) hands on and
// what its answers did; it answers the request itself on failure.
func (s *Server) handOn(c *gin.Context, v *cohortPage) bool {
	if s.cfg.Answers == nil {
		return true
	}
	ctx := c.Request.Context()
	var err error
	if v.HandOn, err = s.cfg.Answers.HandOn(ctx, v.H); err != nil {
		s.fail(c, err)
		return false
	}
	v.LeavesOpen = s.rows(c, v.HandOn.OpenQuestions)
	if v.H.Previous != nil {
		prev, err := s.cohorts.Handover(ctx, v.H.Previous.ID)
		if err == nil {
			v.PrevHandOn, err = s.cfg.Answers.HandOn(ctx, prev)
		}
		if err != nil {
			s.fail(c, err)
			return false
		}
		v.Left = s.rows(c, v.PrevHandOn.OpenQuestions)
	}
	if v.Impact, err = s.cfg.Answers.Impact(ctx, wiki.ImpactFilter{Cohort: v.H.Cohort.ID}); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}

// origin is the site's scheme and host as the browser sees them, for
// links people copy (the invite link).
func (s *Server) origin(c *gin.Context) string {
	scheme := "http"
	if s.secure(c) {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (s *Server) handleCohortRotate(c *gin.Context) {
	if _, err := s.cohorts.RotateInvite(c.Request.Context(), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "New invite link made; the old one no longer works.")
	c.Redirect(http.StatusSeeOther, cohortURL(c.Param("id")))
}

func (s *Server) handleCohortMove(c *gin.Context) {
	username := c.PostForm("username")
	acct, err := s.cohorts.Move(c.Request.Context(), username, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if acct.Role >= wiki.RoleTrainer {
		s.setFlash(c, acct.User().Label()+" is a trainer, so they are now one of this cohort's trainers rather than a member: their edits do not count as the cohort's work.")
	} else {
		s.setFlash(c, "Moved "+acct.User().Label()+" to this cohort. Their earlier revisions keep the cohort they had then.")
	}
	c.Redirect(http.StatusSeeOther, cohortURL(c.Param("id")))
}

// API shapes of cohorts.

type apiCohort struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	StartsOn   string    `json:"starts_on"`
	Trainers   []string  `json:"trainers"`
	InviteCode string    `json:"invite_code,omitempty"`
	Members    int       `json:"members"`
	Revisions  int       `json:"revisions"`
	Added      int       `json:"added"`
	Removed    int       `json:"removed"`
	CreatedAt  time.Time `json:"created_at"`
}

func toAPICohort(co *wiki.Cohort, members int, t wiki.CohortTotals, trainer bool) apiCohort {
	out := apiCohort{ID: co.ID, Name: co.Name, StartsOn: co.StartsOn.Format("2006-01-02"), Trainers: co.Trainers,
		Members: members, CreatedAt: co.CreatedAt}
	if out.Trainers == nil {
		out.Trainers = []string{}
	}
	if trainer {
		out.InviteCode = co.InviteCode
	}
	out.Revisions, out.Added, out.Removed = t.Revisions, t.Added, t.Removed
	return out
}

func (s *Server) handleAPICohorts(c *gin.Context) {
	list, err := s.cohorts.Summaries(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	trainer := wiki.UserFromContext(c.Request.Context()).Has(wiki.RoleTrainer)
	out := make([]apiCohort, 0, len(list))
	for _, cs := range list {
		out = append(out, toAPICohort(cs.Cohort, cs.Members, cs.Totals, trainer))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) handleAPICohortCreate(c *gin.Context) {
	var f cohortForm
	if err := decodeJSON(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	n, err := parseCohortForm(f)
	if err != nil {
		s.fail(c, err)
		return
	}
	co, err := s.cohorts.Create(c.Request.Context(), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", apiCohortURL(co.ID))
	c.JSON(http.StatusCreated, toAPICohort(co, 0, wiki.CohortTotals{}, true))
}

func (s *Server) handleAPICohortRotate(c *gin.Context) {
	co, err := s.cohorts.RotateInvite(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPICohort(co, 0, wiki.CohortTotals{}, true))
}

// apiMember is the body of POST /api/v1/cohorts/{id}/members.
type apiMember struct {
	Username string `json:"username"`
}

func (s *Server) handleAPICohortMove(c *gin.Context) {
	var f apiMember
	if err := decodeJSON(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	acct, err := s.cohorts.Move(c.Request.Context(), f.Username, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIAccount(acct))
}

type apiWork struct {
	Revisions int             `json:"revisions"`
	Added     int             `json:"added"`
	Removed   int             `json:"removed"`
	Created   []wiki.Slug     `json:"pages_created"`
	Edited    []wiki.Slug     `json:"pages_edited"`
	People    []apiPersonWork `json:"people"`
}

type apiPersonWork struct {
	Username  string `json:"username"`
	Revisions int    `json:"revisions"`
	Added     int    `json:"added"`
	Removed   int    `json:"removed"`
	Pages     int    `json:"pages"`
}

type apiHandover struct {
	Cohort    apiCohort        `json:"cohort"`
	Changed   apiWork          `json:"changed"`
	Inherited apiInherited     `json:"inherited"`
	Previous  *apiPreviousWork `json:"previous"`
	// HandOn is what it hands on to the next cohort (issue 10).
	HandOn *apiHandOn `json:"hand_on,omitempty"`
}

type apiSectionUse struct {
	Slug    wiki.Slug `json:"slug"`
	Anchor  string    `json:"anchor"`
	Heading string    `json:"heading"`
	Opens   int       `json:"opens"`
}

type apiHandOn struct {
	Unconfirmed      []apiAnswerAge  `json:"unconfirmed"`
	UnconfirmedTotal int             `json:"unconfirmed_total"`
	Confirmed        int             `json:"confirmed"`
	Flagged          []apiAnswerAge  `json:"flagged"`
	Stale            []apiAnswerAge  `json:"stale"`
	StaleTotal       int             `json:"stale_total"`
	StaleAfterDays   int             `json:"stale_after_days"`
	UsedMost         []apiSectionUse `json:"used_most"`
	OpenQuestions    []apiQuestion   `json:"open_questions"`
}

func toAPIHandOn(h *wiki.HandOn, me *wiki.User) *apiHandOn {
	out := &apiHandOn{Unconfirmed: toAPIAnswerAges(h.Unconfirmed), UnconfirmedTotal: h.UnconfirmedTotal, Confirmed: h.Confirmed,
		Flagged: toAPIAnswerAges(h.Flagged), Stale: toAPIAnswerAges(h.Stale), StaleTotal: h.StaleTotal,
		StaleAfterDays: int(h.StaleAfter / (24 * time.Hour)), UsedMost: []apiSectionUse{}, OpenQuestions: []apiQuestion{}}
	for _, u := range h.UsedMost {
		out.UsedMost = append(out.UsedMost, apiSectionUse{Slug: u.Slug, Anchor: formAnchor(u.Anchor), Heading: u.Heading, Opens: u.Opens})
	}
	for _, q := range h.OpenQuestions {
		out.OpenQuestions = append(out.OpenQuestions, toAPIQuestion(q, me))
	}
	return out
}

type apiInherited struct {
	AsOf  string           `json:"as_of"`
	Pages []apiPageSummary `json:"pages"`
}

type apiPreviousWork struct {
	Cohort apiCohort `json:"cohort"`
	Left   apiWork   `json:"left"`
}

// workTotals returns the totals of w (zero if w is nil), for the hand-over,
// which has the detailed figures at hand anyway.
func workTotals(w *wiki.CohortWork) wiki.CohortTotals {
	if w == nil {
		return wiki.CohortTotals{}
	}
	return wiki.CohortTotals{Revisions: w.Revisions, Added: w.Added, Removed: w.Removed, Created: len(w.Created)}
}

func toAPIWork(w *wiki.CohortWork) apiWork {
	out := apiWork{Revisions: w.Revisions, Added: w.Added, Removed: w.Removed, Created: w.Created, Edited: w.Edited, People: []apiPersonWork{}}
	for _, p := range w.People {
		out.People = append(out.People, apiPersonWork(p))
	}
	return out
}

func (s *Server) handleAPIHandover(c *gin.Context) {
	ctx := c.Request.Context()
	h, err := s.cohorts.Handover(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	trainer := wiki.UserFromContext(ctx).Has(wiki.RoleTrainer)
	out := apiHandover{
		Cohort:    toAPICohort(h.Cohort, len(h.Members), workTotals(h.Work), trainer),
		Changed:   toAPIWork(h.Work),
		Inherited: apiInherited{AsOf: h.InheritedAt.Format(time.RFC3339Nano), Pages: []apiPageSummary{}},
	}
	for _, p := range h.Inherited {
		out.Inherited.Pages = append(out.Inherited.Pages, apiPageSummary{Slug: p.Slug, Title: p.Title, Revision: p.Revision, UpdatedAt: p.UpdatedAt.UTC(), Tags: nonNil(p.Tags)})
	}
	if h.Previous != nil {
		out.Previous = &apiPreviousWork{Cohort: toAPICohort(h.Previous, 0, workTotals(h.PreviousWas), trainer), Left: toAPIWork(h.PreviousWas)}
	}
	if s.cfg.Answers != nil {
		on, err := s.cfg.Answers.HandOn(ctx, h)
		if err != nil {
			s.fail(c, err)
			return
		}
		out.HandOn = toAPIHandOn(on, wiki.UserFromContext(ctx))
	}
	c.JSON(http.StatusOK, out)
}
