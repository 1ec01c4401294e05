// faqwiki editor: a toolbar for the common Markdown, a page picker for
// wiki links, Ctrl/Cmd+S to save, the address a title makes, editor and
// preview as tabs on a phone, and a draft kept in this browser so that
// nothing typed is lost to a closed tab or an expired session. The form
// works without any of it: these only add to it.
(function () {
  "use strict";

  var form = document.getElementById("edit-form");
  var text = document.getElementById("markdown");
  if (!form || !text) return;

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  function changed() { text.dispatchEvent(new Event("input", { bubbles: true })); }

  // ---- Toolbar -------------------------------------------------------

  // wrap puts before and after around the selection (or a placeholder
  // word, selected so that typing replaces it).
  function wrap(before, after, placeholder) {
    var s = text.selectionStart, e = text.selectionEnd;
    var sel = text.value.slice(s, e) || placeholder;
    text.setRangeText(before + sel + after, s, e, "select");
    text.setSelectionRange(s + before.length, s + before.length + sel.length);
    text.focus();
    changed();
  }
  // block inserts a block of its own lines at the cursor, blank lines
  // around it, and selects the part to type over.
  function block(md, selStart, selLen) {
    var s = text.selectionStart, e = text.selectionEnd;
    var before = text.value.slice(0, s), after = text.value.slice(e);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var trail = after === "" || /^\n\n/.test(after) ? "\n" : /^\n/.test(after) ? "\n" : "\n\n";
    text.setRangeText(lead + md + trail, s, e, "end");
    var at = s + lead.length + selStart;
    text.setSelectionRange(at, at + selLen);
    text.focus();
    changed();
  }
  // linePrefix puts prefix before every selected line (or the line of the
  // cursor).
  function linePrefix(prefix, placeholder) {
    var s = text.selectionStart, e = text.selectionEnd;
    var v = text.value;
    if (s === e && (s === 0 || v[s - 1] === "\n") && (s === v.length || v[s] === "\n")) {
      block(prefix + placeholder, prefix.length, placeholder.length);
      return;
    }
    var from = v.lastIndexOf("\n", s - 1) + 1;
    var to = v.indexOf("\n", e);
    if (to < 0) to = v.length;
    var lines = v.slice(from, to).split("\n").map(function (l) { return l.indexOf(prefix) === 0 ? l : prefix + l; });
    text.setRangeText(lines.join("\n"), from, to, "select");
    text.focus();
    changed();
  }
  var tools = {
    question: function () {
      var sel = text.value.slice(text.selectionStart, text.selectionEnd).replace(/\n/g, " ");
      var q = sel || "What is the question?";
      block("## " + q + "\n\nThe answer.", 3, q.length);
    },
    bold: function () { wrap("**", "**", "bold text"); },
    link: function () {
      var s = text.selectionStart, e = text.selectionEnd;
      var sel = text.value.slice(s, e) || "link text";
      var md = "[" + sel + "](https://)";
      text.setRangeText(md, s, e, "end");
      var at = s + sel.length + 3; // inside (), after the [text]
      text.setSelectionRange(at, at + 8);
      text.focus();
      changed();
    },
    wikilink: function () { openPicker(); },
    list: function () { linePrefix("- ", "First item"); },
    table: function () {
      block("| Question | Answer |\n| --- | --- |\n| … | … |", 2, 8);
    },
    image: function () {
      var file = document.getElementById("file");
      if (file) file.click(); // the upload code inserts ![…](name) once chosen
    }
  };
  var toolbar = form.querySelector(".toolbar");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-tool]");
      if (b && tools[b.getAttribute("data-tool")]) tools[b.getAttribute("data-tool")]();
    });
  }

  // ---- Page picker ---------------------------------------------------

  var picker = document.getElementById("page-picker");
  var pickQ = document.getElementById("picker-q");
  var pickOut = document.getElementById("picker-results");
  var pickRange = null, pickTimer = null, pickAbort = null;
  function openPicker() {
    if (!picker || typeof picker.showModal !== "function") {
      wrap("[[", "]]", "Page title");
      return;
    }
    pickRange = [text.selectionStart, text.selectionEnd];
    pickQ.value = text.value.slice(pickRange[0], pickRange[1]).replace(/\n/g, " ");
    pickOut.textContent = "";
    picker.showModal();
    pickQ.focus();
    findPages();
  }
  function choose(title) {
    picker.close();
    text.focus();
    text.setSelectionRange(pickRange[0], pickRange[1]);
    text.setRangeText("[[" + title.replace(/[\[\]|]/g, " ").trim() + "]]", pickRange[0], pickRange[1], "end");
    changed();
  }
  function option(title, note) {
    var li = document.createElement("li");
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary pick";
    b.textContent = title;
    if (note) {
      var n = document.createElement("span");
      n.className = "hint";
      n.textContent = " " + note;
      b.appendChild(n);
    }
    b.addEventListener("click", function () { choose(title); });
    li.appendChild(b);
    pickOut.appendChild(li);
  }
  function findPages() {
    var q = pickQ.value.trim();
    if (pickAbort) pickAbort.abort();
    pickAbort = new AbortController();
    if (q === "") { pickOut.textContent = ""; return; }
    var seen = {};
    var byTitle = fetch(form.getAttribute("data-pages") + "?" + new URLSearchParams({ title_prefix: q, limit: "8" }),
      { credentials: "same-origin", signal: pickAbort.signal }).then(function (r) { return r.ok ? r.json() : { pages: [] }; });
    var bySearch = fetch(form.getAttribute("data-search") + "?" + new URLSearchParams({ q: q, limit: "6", log: "0" }),
      { credentials: "same-origin", signal: pickAbort.signal }).then(function (r) { return r.ok ? r.json() : { hits: [] }; });
    Promise.all([byTitle, bySearch]).then(function (res) {
      pickOut.textContent = "";
      res[0].pages.forEach(function (p) { if (!seen[p.slug]) { seen[p.slug] = true; option(p.title, p.slug); } });
      (res[1].hits || []).forEach(function (h) { if (!seen[h.slug]) { seen[h.slug] = true; option(h.title, h.slug); } });
      if (!res[0].pages.some(function (p) { return p.title.toLowerCase() === q.toLowerCase(); })) {
        option(q, "(a new page: the link shows in red until someone writes it)");
      }
    }).catch(function () { /* a newer search replaced it */ });
  }
  if (pickQ) {
    pickQ.addEventListener("input", function () { clearTimeout(pickTimer); pickTimer = setTimeout(findPages, 200); });
    pickQ.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        var first = pickOut.querySelector("button.pick");
        if (first) first.click();
      } else if (ev.key === "ArrowDown") {
        var b = pickOut.querySelector("button.pick");
        if (b) { ev.preventDefault(); b.focus(); }
      }
    });
    pickOut.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      var all = Array.prototype.slice.call(pickOut.querySelectorAll("button.pick"));
      var i = all.indexOf(document.activeElement);
      if (i < 0) return;
      ev.preventDefault();
      if (ev.key === "ArrowDown" && i + 1 < all.length) all[i + 1].focus();
      else if (ev.key === "ArrowUp") (i > 0 ? all[i - 1] : pickQ).focus();
    });
  }

  // ---- Keys ----------------------------------------------------------

  form.addEventListener("keydown", function (ev) {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
    var k = ev.key.toLowerCase();
    if (k === "s") {
      ev.preventDefault();
      var save = document.getElementById("save-button");
      if (form.requestSubmit) form.requestSubmit(save); else save.click();
    } else if (ev.target === text && k === "b") {
      ev.preventDefault();
      tools.bold();
    } else if (ev.target === text && k === "k") {
      ev.preventDefault();
      tools.link();
    }
  });

  // ---- The address a title makes --------------------------------------

  var title = document.getElementById("title");
  var slug = document.getElementById("slug");
  var slugOut = document.getElementById("slug-preview");
  if (title && slug && slugOut) {
    var slugTimer = null, slugAbort = null;
    var showSlug = function () {
      var from = slug.value.trim() || title.value;
      if (slugAbort) slugAbort.abort();
      if (from.trim() === "") { slugOut.textContent = ""; return; }
      slugAbort = new AbortController();
      fetch(form.getAttribute("data-slug-url") + "?" + new URLSearchParams({ title: from }), { credentials: "same-origin", signal: slugAbort.signal })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (a) {
          slugOut.textContent = "";
          if (!a) return;
          if (!a.slug) { slugOut.textContent = "Give it some letters or digits: they make the page's address."; return; }
          slugOut.appendChild(document.createTextNode("The page's address will be "));
          var code = document.createElement("code");
          code.textContent = a.url;
          slugOut.appendChild(code);
          if (a.taken) {
            slugOut.appendChild(document.createTextNode(". A page already lives there: "));
            var l = document.createElement("a");
            l.href = a.url;
            l.textContent = a.title;
            slugOut.appendChild(l);
            slugOut.appendChild(document.createTextNode(" (choose another title or address)."));
            slugOut.classList.add("taken");
          } else {
            slugOut.appendChild(document.createTextNode("."));
            slugOut.classList.remove("taken");
          }
        }).catch(function () { /* replaced by a newer one */ });
    };
    var later = function () { clearTimeout(slugTimer); slugTimer = setTimeout(showSlug, 250); };
    title.addEventListener("input", later);
    slug.addEventListener("input", later);
    if (title.value) showSlug();
  }

  // ---- Tabs on a phone --------------------------------------------------

  var tabs = form.querySelector(".editor-tabs");
  var tabWrite = document.getElementById("tab-write"), tabPreview = document.getElementById("tab-preview");
  var preview = document.getElementById("preview-pane"), write = document.getElementById("write-pane");
  if (tabs && tabWrite && tabPreview && preview && write) {
    tabs.hidden = false;
    form.classList.add("tabbed");
    var show = function (which) {
      var p = which === "preview";
      tabWrite.setAttribute("aria-selected", String(!p));
      tabPreview.setAttribute("aria-selected", String(p));
      tabWrite.tabIndex = p ? -1 : 0;
      tabPreview.tabIndex = p ? 0 : -1;
      form.classList.toggle("showing-preview", p);
      if (p) preview.removeAttribute("data-empty");
      (p ? tabPreview : tabWrite).focus();
    };
    tabWrite.addEventListener("click", function () { show("write"); });
    tabPreview.addEventListener("click", function () { show("preview"); });
    tabs.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        ev.preventDefault();
        show(document.activeElement === tabWrite ? "preview" : "write");
      }
    });
  }

  // ---- A draft in this browser ------------------------------------------

  var key = "faqwiki-draft:" + (form.getAttribute("data-draft") || "");
  var fields = ["title", "markdown", "tags", "summary", "slug"];
  function current() {
    var d = {};
    fields.forEach(function (f) { var el = form.elements[f]; if (el) d[f] = el.value; });
    return d;
  }
  function same(a, b) { return fields.every(function (f) { return (a[f] || "") === (b[f] || ""); }); }
  var store = null;
  try { store = window.localStorage; store.getItem(key); } catch (e) { store = null; }
  if (store) {
    // The form's text is what the server has, unless it came back with
    // the person's unsaved text (a refused save, a conflict, a preview).
    var unsaved = form.hasAttribute("data-unsaved");
    var loaded = unsaved ? {} : current();
    var offer = document.getElementById("draft-offer");
    var raw = store.getItem(key), draft = null;
    try { draft = raw ? JSON.parse(raw) : null; } catch (e) { draft = null; }
    if (unsaved) {
      try { store.setItem(key, JSON.stringify({ at: Date.now(), base: (form.elements.base_revision || {}).value, fields: current() })); } catch (e) { /* full */ }
    } else if (draft && draft.fields && !same(draft.fields, loaded) && offer) {
      var when = new Date(draft.at);
      offer.textContent = "You have changes to this page that were not saved, from " + when.toLocaleString() + ". ";
      var restore = document.createElement("button");
      restore.type = "button";
      restore.textContent = "Restore them";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "secondary";
      discard.textContent = "Discard them";
      restore.addEventListener("click", function () {
        fields.forEach(function (f) { var el = form.elements[f]; if (el && draft.fields[f] !== undefined) el.value = draft.fields[f]; });
        offer.hidden = true;
        changed();
        text.focus();
      });
      discard.addEventListener("click", function () { store.removeItem(key); offer.hidden = true; text.focus(); });
      offer.appendChild(restore);
      offer.appendChild(document.createTextNode(" "));
      offer.appendChild(discard);
      offer.hidden = false;
    } else if (draft && draft.fields && same(draft.fields, loaded)) {
      store.removeItem(key); // the server has it: saved
    }
    var saveTimer = null;
    form.addEventListener("input", function () {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(function () {
        var now = current();
        try {
          if (same(now, loaded)) store.removeItem(key);
          else store.setItem(key, JSON.stringify({ at: Date.now(), base: (form.elements.base_revision || {}).value, fields: now }));
        } catch (e) { /* storage full: the warning on leaving still guards */ }
      }, 400);
    });
    // The draft stays until the page shows saved (app.js removes it when
    // the page's view says so), so a save refused by an expired session
    // keeps it.
    form.addEventListener("submit", function () {
      try {
        var d = { at: Date.now(), base: (form.elements.base_revision || {}).value, fields: current(), sent: true };
        store.setItem(key, JSON.stringify(d));
      } catch (e) { /* nothing to do */ }
    });
  }
})();
