// Package web is faqwiki's HTTP layer: the gin router with the HTML pages
// people use and the JSON API under /api/v1 that tools use, plus the
// middleware around them (request logging, panic recovery, security
// headers, CSRF, body limits) and the mapping of domain errors to statuses.
//
// It imports wiki and never store or search: cmd/faqwiki wires the concrete
// types in through Config.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Config is what a Server is built from. Wiki, Accounts, Cohorts and
// Search are required.
type Config struct {
	Wiki     *wiki.Wiki
	Accounts *wiki.Accounts
	Cohorts  *wiki.Cohorts
	Logger   *slog.Logger
	// OpenReading lets visitors who are not signed in read and search.
	// Off by default: onboarding content is usually internal.
	OpenReading bool
	// TrustProxy honours X-Forwarded-For and X-Forwarded-Proto from a
	// reverse proxy on this machine or the private network.
	TrustProxy bool
	SiteName   string // shown in the header and titles; default "faqwiki"
	// Clock tells the time for "3 minutes ago" and default dates; default
	// time.Now.
	Clock wiki.Clock
	// Health reports whether the backing stores answer; nil means healthy.
	Health func(ctx context.Context) error
	// Search answers searches; SearchLog records them for the gap list
	// (nil: searches are not logged); Learning is what search learned
	// from opens, which trainers review (nil: nothing).
	Search    wiki.Searcher
	SearchLog wiki.SearchLog
	Learning  wiki.SearchLearning
	// Synonyms is the search synonym list (nil: none).
	Synonyms *wiki.Synonyms
	// Opens counts the sections opened from searches, for the home page's
	// most opened questions (nil: it shows none).
	Opens wiki.OpenCounts

	// Operations (see ops.go).

	// TrustedProxies lists the addresses (CIDR, or single IPs) of reverse
	// proxies whose X-Forwarded-For, -Proto and X-Request-Id are believed.
	// Empty with TrustProxy set means this machine and the private
	// networks.
	TrustedProxies []string
	// BaseURL is the wiki's public address (such as
	// https://wiki.example.com), for links that leave the site: password
	// reset links, feeds. Empty: made from each request's Host.
	BaseURL string
	// Status reports the health of the store and the index for /healthz;
	// nil falls back to Health.
	Status func(ctx context.Context) Status
	// MaxIndexLag is how many changes the index may be behind the store
	// before /healthz says the server is unhealthy (default 1000).
	MaxIndexLag uint64
	// Version and Started are shown to admins by /healthz.
	Version string
	Started time.Time
	// Observer, if set, is told of every request (metrics).
	Observer RequestObserver
	// Writing, if set, is called as each request that may write begins:
	// any method but GET, HEAD and OPTIONS (the server's CPU settings
	// follow it, see cmd/faqwiki's procsGovernor).
	Writing func()
	// Metrics serves GET /metrics. nil: there is no /metrics. It answers
	// a request that sends MetricsToken as a bearer token, an admin, or,
	// with MetricsLocal, a client on this machine that came directly (not
	// through a proxy).
	Metrics      http.Handler
	MetricsToken string
	MetricsLocal bool
	// Backups makes the verified copies of the store that admins download
	// at /api/v1/admin/backup; nil: no backups over HTTP.
	Backups wiki.Snapshotter

	// Questions and the gap list, and Answers: helpful votes,
	// confirmations and flags, freshness and impact (question.go, gap.go,
	// answer.go). nil: those features are off.
	Questions *wiki.Questions
	Answers   *wiki.Answers
}

// Server serves faqwiki over HTTP. Build it with New.
type Server struct {
	cfg      Config
	wiki     *wiki.Wiki
	accounts *wiki.Accounts
	cohorts  *wiki.Cohorts
	now      wiki.Clock
	log      *slog.Logger
	engine   *gin.Engine
	pages    *templateSet
	assets   *assets
	csrf     *http.CrossOriginProtection
	proxies  []netip.Prefix // trusted reverse proxies
	backups  chan struct{}  // one backup at a time
	digest   digestCache    // the home page's figures from the search log (home.go)
	views    *pageViewCache // drawn page views (pageview.go)
	// noViewCache draws every page view afresh (tests compare the two).
	noViewCache bool

	answerBodies answerBodies // pages drawn with their answer boxes (answer.go)
}

// New builds the router, parses every template and hashes the static
// files. A template that does not parse is an error here, not at the first
// request.
func New(cfg Config) (*Server, error) {
	if cfg.Wiki == nil || cfg.Accounts == nil || cfg.Cohorts == nil || cfg.Search == nil {
		return nil, errors.New("web: Config.Wiki, Config.Accounts, Config.Cohorts and Config.Search are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "faqwiki"
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	s := &Server{cfg: cfg, wiki: cfg.Wiki, accounts: cfg.Accounts, cohorts: cfg.Cohorts, now: cfg.Clock, log: cfg.Logger, csrf: http.NewCrossOriginProtection(),
		backups: make(chan struct{}, 1), views: newPageViewCache()}
	var err error
	if s.proxies, err = parseProxies(cfg.TrustProxy, cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	if cfg.BaseURL != "" {
		if s.cfg.BaseURL, err = parseBaseURL(cfg.BaseURL); err != nil {
			return nil, fmt.Errorf("web: base URL: %w", err)
		}
	}
	if s.assets, err = newAssets(); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	if s.pages, err = parseTemplates(s.templateFuncs()); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.engine = s.routes()
	return s, nil
}

// ServeHTTP makes the Server an http.Handler. A HEAD request is served
// as its GET: net/http sends the headers and drops the body (it knows the
// request as HEAD), so every page and /healthz answer HEAD as HTTP says.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		g := *r
		g.Method = http.MethodGet
		r = &g
	}
	s.engine.ServeHTTP(w, r)
}

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = true
	var trusted []string
	for _, p := range s.proxies {
		trusted = append(trusted, p.String())
	}
	if err := r.SetTrustedProxies(trusted); err != nil {
		panic(err) // parseProxies made them
	}
	r.Use(s.logRequests, s.recoverPanics, s.securityHeaders, s.checkQuery, s.limitBodies, s.identify, s.checkCSRF)

	// Anyone: signing in, signing up with an invite, the first-run setup.
	r.GET("/healthz", s.handleHealth)
	r.GET("/static/:sum/:file", s.handleStatic)
	r.GET(loginURL(), s.handleLoginForm)
	r.POST(loginURL(), s.handleLogin)
	r.POST(logoutURL(), s.handleLogout)
	r.GET(signupURL(), s.handleSignupForm)
	r.POST(signupURL(), s.handleSignup)
	r.GET("/setup/:token", s.handleSetupForm)
	r.POST("/setup/:token", s.handleSetup)
	api := r.Group(prefixAPI)
	api.POST("/session", s.handleAPILogin)
	api.DELETE("/session", s.handleAPILogout)
	api.POST("/signup", s.handleAPISignup)

	// Readers (everyone, when the site is open for reading).
	read := r.Group("/", s.require(wiki.RoleReader))
	read.GET(homeURL(), s.handleHome)
	read.GET(prefixWiki+"*slug", s.handlePageView)
	read.GET(prefixHistory+"*slug", s.handlePageHistory)
	read.GET(prefixDiff+"*slug", s.handlePageDiff)
	read.GET(cohortsURL(), s.handleCohorts)
	read.GET(cohortURL(":id"), s.handleCohort)
	read.GET(peopleURL(), s.handlePeople)
	read.GET(prefixPeople+":name", s.handlePerson)
	read.GET(prefixSearch, s.handleSearch)
	read.GET(prefixSearch+"/open", s.handleSearchOpen)
	read.GET(synonymsURL(), s.withSynonyms(s.handleSynonyms))
	read.GET(synonymsHistoryURL(), s.withSynonyms(s.handleSynonymsHistory))
	read.GET(synonymsURL()+"/diff", s.withSynonyms(s.handleSynonymsDiff))
	read.GET(wiki.FilesPath+":id/:name", s.handleFile) // a page's file, by hash (attachment.go)
	readAPI := api.Group("/", s.require(wiki.RoleReader))
	readAPI.GET("/pages", s.handleAPIPageList)
	readAPI.GET("/cohorts", s.handleAPICohorts)
	readAPI.GET("/cohorts/:id/handover", s.handleAPIHandover)
	readAPI.GET("/users/:name", s.handleAPIPerson)
	readAPI.GET("/search", s.handleAPISearch)
	readAPI.GET("/search/synonyms", s.withSynonyms(s.handleAPISynonyms))
	readAPI.GET("/search/synonyms/revisions", s.withSynonyms(s.handleAPISynonymRevisions))
	readAPI.GET("/search/synonyms/revisions/:n", s.withSynonyms(s.handleAPISynonymRevision))
	// Every method under /pages/{slug}: the handler checks the role each
	// action needs, since the slug's end is only known there.
	api.Any("/pages/*rest", s.handleAPIPage)
	// The list of pages only lists: another method gets the JSON 405 (gin
	// would otherwise redirect it to /pages/, the empty slug).
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace} {
		api.Handle(m, "/pages", s.handleNoMethod)
	}

	// Signed in, whatever the role.
	signedIn := r.Group("/", s.require(wiki.RoleReader), s.requireAccount)
	signedIn.GET(accountURL(), s.handleAccount)
	signedIn.POST(passwordURL(), s.handlePasswordChange)

	// Editors: every new hire.
	edit := r.Group("/", s.require(wiki.RoleEditor))
	edit.GET(newPageURL(""), s.handlePageNew)
	edit.POST(newPageURL(""), s.handlePageCreate)
	edit.GET(prefixEdit+"*slug", s.handlePageEdit)
	edit.POST(prefixEdit+"*slug", s.handlePageSave)
	edit.POST("/preview", s.handlePreview)
	edit.POST(prefixUndo+"*slug", s.handleRevisionAction(undoRevision))

	// Trainers: revert, delete, cohorts.
	train := r.Group("/", s.require(wiki.RoleTrainer))
	train.POST(prefixRevert+"*slug", s.handleRevisionAction(restoreRevision))
	train.GET(prefixDelete+"*slug", s.handlePageDeleteConfirm)
	train.POST(prefixDelete+"*slug", s.handlePageDelete)
	train.POST(cohortsURL(), s.handleCohortCreate)
	train.POST(cohortInviteURL(":id"), s.handleCohortRotate)
	train.POST(cohortMembersURL(":id"), s.handleCohortMove)
	train.POST(synonymsURL(), s.withSynonyms(s.handleSynonymsSave))
	train.POST(synonymsRevertURL(), s.withSynonyms(s.handleSynonymsRevert))
	train.POST(synonymsAddURL(), s.withSynonyms(s.handleSynonymsAdd))
	train.GET(prefixSearch+"/learned/*slug", s.handleLearned)
	train.POST(prefixSearch+"/learned/*slug", s.handleLearnedRemove)
	trainAPI := api.Group("/", s.require(wiki.RoleTrainer))
	trainAPI.POST("/cohorts", s.handleAPICohortCreate)
	trainAPI.POST("/cohorts/:id/invite", s.handleAPICohortRotate)
	trainAPI.POST("/cohorts/:id/members", s.handleAPICohortMove)
	trainAPI.GET("/search/gaps", s.handleAPIGaps)
	trainAPI.PUT("/search/synonyms", s.withSynonyms(s.handleAPISynonymsPut))
	trainAPI.POST("/search/synonyms/revert", s.withSynonyms(s.handleAPISynonymsRevert))

	// Admins: people and roles.
	admin := r.Group("/", s.require(wiki.RoleAdmin))
	admin.GET(adminUsersURL(), s.handleAdminUsers)
	admin.POST(adminUserURL(":name"), s.handleAdminUserUpdate)
	adminAPI := api.Group("/", s.require(wiki.RoleAdmin))
	adminAPI.GET("/users", s.handleAPIUsers)
	adminAPI.PATCH("/users/:name", s.handleAPIUserPatch)

	// Operations: health, metrics, backups, password resets (ops.go,
	// reset.go).
	r.GET(metricsURL(), s.handleMetrics)
	r.GET(resetURL(":token"), s.handleResetForm)
	r.POST(resetURL(":token"), s.handleReset)
	admin.POST(adminUserResetURL(":name"), s.handleAdminUserReset)
	adminAPI.POST("/users/:name/reset", s.handleAPIUserReset)
	adminAPI.GET("/admin/backup", s.handleAPIBackup)
	s.reviewRoutes(r, api)
	s.uxRoutes(r, api)
	s.questionRoutes(r, api)

	r.NoRoute(s.handleNoRoute)
	r.NoMethod(s.handleNoMethod)
	return r
}

// reviewRoutes adds recent changes, review, blame, links and watching
// (issue 9), grouped by role like the routes above.
func (s *Server) reviewRoutes(r *gin.Engine, api *gin.RouterGroup) {
	// Feeds authenticate themselves: a feed token in the URL, or the
	// session (see feedUser).
	r.GET(changesAtomPath(), s.handleChangesAtom)
	r.GET(watchingAtomPath(), s.handleWatchingAtom)

	read := r.Group("/", s.require(wiki.RoleReader))
	read.GET(changesPath(), s.handleChanges)
	read.GET(prefixBlame+"*slug", s.handlePageBlame)
	read.GET(wantedURL(), s.handleWanted)
	read.GET(orphansURL(), s.handleOrphans)
	readAPI := api.Group("/", s.require(wiki.RoleReader))
	readAPI.GET("/changes", s.handleAPIChanges)
	readAPI.GET("/wanted", s.handleAPIWanted)
	readAPI.GET("/orphans", s.handleAPIOrphans)
	readAPI.GET("/cohorts/:id/reading", s.handleAPICohortReading)

	me := r.Group("/", s.require(wiki.RoleReader), s.requireAccount)
	me.GET(watchingURL(), s.handleWatching)
	me.POST(feedTokenURL(), s.handleFeedTokenNew)
	me.POST(prefixWatch+"*slug", s.handleWatch)
	meAPI := api.Group("/", s.require(wiki.RoleReader), s.requireAPIAccount)
	meAPI.GET("/me/watching", s.handleAPIWatching)
	meAPI.POST("/me/feed-token", s.handleAPIFeedToken)

	train := r.Group("/", s.require(wiki.RoleTrainer))
	train.GET(reviewURL(), s.handleReview)
	train.POST(reviewURL(), s.handleReviewAction)
	train.POST(cohortReadingURL(":id"), s.handleCohortReading)
	trainAPI := api.Group("/", s.require(wiki.RoleTrainer))
	trainAPI.GET("/review", s.handleAPIReview)
	trainAPI.PUT("/cohorts/:id/reading", s.handleAPICohortReadingSet)
}

// requireAPIAccount is requireAccount for the API: 401 instead of a
// redirect.
func (s *Server) requireAPIAccount(c *gin.Context) {
	if !wiki.UserFromContext(c.Request.Context()).SignedIn() {
		s.fail(c, &publicError{http.StatusUnauthorized, "unauthorized", "this needs an account: sign in or send an API token"})
		c.Abort()
		return
	}
	c.Next()
}

// requireAccount refuses visitors who read an open wiki without an
// account: pages about "your account" need one.
func (s *Server) requireAccount(c *gin.Context) {
	if !wiki.UserFromContext(c.Request.Context()).SignedIn() {
		redirectToLogin(c)
		c.Abort()
		return
	}
	c.Next()
}

// uxRoutes adds the home page's parts, people admin on the web and the
// editor's helpers (issue 14), grouped by role like the routes above.
func (s *Server) uxRoutes(r *gin.Engine, api *gin.RouterGroup) {
	readAPI := api.Group("/", s.require(wiki.RoleReader))
	readAPI.GET("/slug", s.handleAPISlug)

	me := r.Group("/", s.require(wiki.RoleReader), s.requireAccount)
	me.POST(tokensURL(), s.handleTokenCreate)
	me.POST(tokenRevokeURL(), s.handleTokenRevoke)

	train := r.Group("/", s.require(wiki.RoleTrainer))
	train.POST(cohortTrainersURL(":id"), s.handleCohortTrainerAdd)

	admin := r.Group("/", s.require(wiki.RoleAdmin))
	admin.POST(adminUsersURL(), s.handleAdminUserAdd)
	admin.GET(adminUserDisableURL(":name"), s.handleAdminUserDisableConfirm)
	adminAPI := api.Group("/", s.require(wiki.RoleAdmin))
	adminAPI.POST("/users", s.handleAPIUserAdd)
}
