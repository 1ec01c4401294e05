package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPasswordReset: an admin makes a reset link on the people
// page; someone else's browser opens it, chooses a new password and is
// signed in; the link is spent.
func TestBrowserPasswordReset(t *testing.T) {
	w := startWiki(t, "admin")
	admin := openTab(t, newBrowser(t))
	admin.signIn(w, "/admin/users")
	wantEqual(t, "status after Reset link", admin.follow(`form[action="/admin/users/ada/reset"] button[type=submit]`), 200)
	link := admin.value("input.reset-link")
	if !strings.Contains(link, "/reset/") {
		t.Fatalf("reset link %q", link)
	}
	wantContains(t, "reset link page", admin.text("main"), "works once")
	// The link has a Copy button (script only), which says so when used.
	wantEqual(t, "Copy buttons after the link", admin.count("input.reset-link + button.copy-button"), 1)
	admin.do("copy the link", chromedp.Click(chromedp.CSS("button.copy-button")))
	step(admin, "wait for the button to say so", chromedp.Poll[bool](`document.querySelector("button.copy-button").textContent === "Copied" || document.activeElement === document.querySelector("input.reset-link")`))
	admin.screenshot("reset-link")

	tb := openTab(t, newBrowser(t)) // another person's browser: no session
	wantEqual(t, "status of the reset link", tb.open(link), 200)
	wantContains(t, "reset page", tb.text("main h1"), "Choose a new password")
	tb.do("choose two different passwords",
		chromedp.SendKeys(chromedp.ID("password"), "a brand new passphrase"),
		chromedp.SendKeys(chromedp.ID("password_again"), "another passphrase!"),
	)
	wantEqual(t, "status with two different passwords", tb.follow(`form button[type=submit]`), 422)
	wantContains(t, "error", tb.text("main"), "is not the same as the password")
	wantEqual(t, "password field after the error", tb.value("#password"), "") // never sent back
	tb.do("fill in the new password twice",
		chromedp.SendKeys(chromedp.ID("password"), "a brand new passphrase"),
		chromedp.SendKeys(chromedp.ID("password_again"), "a brand new passphrase"),
	)
	tb.screenshot("reset")
	wantEqual(t, "status after setting it", tb.follow(`form button[type=submit]`), 200)
	wantEqual(t, "path after setting it", tb.path(), "/")
	wantContains(t, "flash", tb.flash(), "new password is set")
	wantEqual(t, "who is signed in", tb.text("header.site .me"), "Ada Lovelace")

	// Spent.
	wantEqual(t, "status of the used link", tb.open(link), 404)
}
