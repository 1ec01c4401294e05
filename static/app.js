// faqwiki: small progressive enhancements. Every page works without this
// file; it only adds a live preview while editing and keyboard niceties.
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }

  // Live preview: re-render the text a moment after typing stops.
  function livePreview() {
    var text = document.getElementById("markdown");
    var out = document.getElementById("preview");
    if (!text || !out) return;
    var section = out.closest(".preview");
    var timer = null, inflight = null, last = null;
    function update() {
      var body = text.value;
      if (body === last) return;
      last = body;
      if (inflight) inflight.abort();
      inflight = new AbortController();
      fetch("/preview", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrfToken() },
        body: new URLSearchParams({ markdown: body }),
        signal: inflight.signal,
        credentials: "same-origin"
      }).then(function (r) {
        if (r.status === 503) {
          // The server is still rendering the previous preview: try again
          // shortly, so the last keystrokes are not left unpreviewed.
          last = null;
          clearTimeout(timer);
          timer = setTimeout(update, 600);
          return null;
        }
        if (!r.ok) throw new Error("preview failed: " + r.status);
        return r.text();
      }).then(function (html) {
        if (html === null) return;
        // The server renders with goldmark's safe settings; the page's CSP
        // forbids inline script as a second line of defence.
        out.innerHTML = html;
        if (section) section.removeAttribute("data-empty");
      }).catch(function () { /* keep the last preview */ });
    }
    text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 350);
    });
    update();
  }

  // Warn before leaving an edit form with unsaved changes.
  function guardUnsaved() {
    var form = document.getElementById("edit-form");
    if (!form) return;
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
  }

  // "/" focuses the search box, "e" opens the editor on a page.
  function keys() {
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      if (e.key === "/") {
        var q = document.querySelector("#search-q") || document.querySelector('input[type="search"]');
        if (q) { e.preventDefault(); q.focus(); q.select(); }
      } else if (e.key === "e") {
        var edit = document.querySelector(".page-actions a[href^='/edit/']");
        if (edit) { e.preventDefault(); window.location.href = edit.href; }
      }
    });
  }

  // Search as you type on the results page: the server renders the
  // results block; the form still works by submitting without this.
  function liveSearch() {
    var input = document.querySelector("input[data-live]");
    var out = document.getElementById("results");
    if (!input || !out) return;
    var form = input.form, timer = null, inflight = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var params = new URLSearchParams(new FormData(form));
        if (inflight) inflight.abort();
        inflight = new AbortController();
        var q = params.toString();
        params.set("partial", "1");
        fetch("/search?" + params.toString(), { signal: inflight.signal, credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
          .then(function (html) {
            out.innerHTML = html;
            history.replaceState(null, "", "/search?" + q);
          })
          .catch(function () { /* keep the last results */ });
      }, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Says the enhancements are on, for styles (and for tests that check
    // a page works with them off).
    document.documentElement.classList.add("js");
    liveSearch();
    livePreview();
    guardUnsaved();
    keys();
  });
})();
