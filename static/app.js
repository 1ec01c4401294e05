// faqwiki: small progressive enhancements. Every page works without this
// file; it only adds a live preview while editing, keyboard niceties,
// search as you type and uploads (the editor's toolbar, page picker and
// drafts are in editor.js).
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
      fetch((text.form && text.form.getAttribute("data-preview")) || "/preview", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrfToken() },
        body: new URLSearchParams({ markdown: body, slug: text.form ? (text.form.getAttribute("data-slug") || "") : "" }),
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
        follow();
      }).catch(function () { /* keep the last preview */ });
    }
    // The preview box scrolls with the cursor: as far down its text as
    // the cursor is down the Markdown (a close guess: a line of text is
    // about a line of preview), so what was just typed is in view.
    function follow() {
      if (!section || section.scrollHeight <= section.clientHeight || !text.value.length) return;
      var at = text.value.slice(0, text.selectionStart).split("\n").length / text.value.split("\n").length;
      section.scrollTop = Math.max(0, at * section.scrollHeight - section.clientHeight / 2);
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
            // What the page shows before a query gives way to the results.
            var typed = input.value.trim() !== "";
            document.querySelectorAll("[data-before-query]").forEach(function (e) { e.hidden = typed; });
          })
          .catch(function () { /* keep the last results */ });
      }, 250);
    });
  }

  // Search as you type in the header's box: the best answers drop down
  // under it (the server renders them); Enter still opens the results
  // page, Escape or leaving the box closes the list.
  function quickSearch() {
    var input = document.querySelector("input[data-quick]");
    var out = document.getElementById("quick-results");
    if (!input || !out) return;
    var timer = null, inflight = null;
    function close() { out.hidden = true; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        if (inflight) inflight.abort();
        inflight = new AbortController();
        var params = new URLSearchParams({ q: q, partial: "quick" });
        fetch(input.getAttribute("data-quick") + "?" + params.toString(), { signal: inflight.signal, credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
          .then(function (html) {
            // The server escapes everything but <mark> in snippets; the
            // CSP forbids inline script as a second line of defence.
            out.innerHTML = html;
            out.hidden = html.trim() === "";
          })
          .catch(function () { /* keep the last list */ });
      }, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { close(); }
      if (e.key === "ArrowDown" && !out.hidden) {
        var first = out.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    out.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { close(); input.focus(); }
    });
    input.form.addEventListener("focusout", function () {
      setTimeout(function () { if (!input.form.contains(document.activeElement)) close(); }, 0);
    });
  }

  // Files in the editor: drop or paste them into the text. On a page that
  // exists they are uploaded at once (a new revision with the same text)
  // and the preview shows them; on a new page they join the form's file
  // field and are saved with the page. Either way the Markdown that shows
  // them is inserted at the cursor. Without this, the file field and the
  // "remove" boxes do the same on save.
  function uploads() {
    var form = document.getElementById("edit-form");
    var text = document.getElementById("markdown");
    var input = document.getElementById("file");
    var status = document.getElementById("upload-status");
    var list = document.getElementById("file-list");
    if (!form || !text || !input || !list) return;
    var url = form.getAttribute("data-upload");

    // The name the server will give a file (wiki.AttachmentNameFrom).
    function serverName(name) {
      var base = name.replace(/\\/g, "/").split("/").pop();
      base = base.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
      base = base.replace(/[^a-z0-9._]+/g, "-").replace(/^[.\-_]+|[.\-_]+$/g, "").replace(/\.\.+/g, ".");
      if (/\.(md|markdown)$/.test(base)) base += ".txt";
      return base;
    }
    function isImage(type) { return /^image\/(png|jpeg|gif|webp)$/.test(type || ""); }
    function say(msg) { if (status) status.textContent = msg; }
    // insertRef inserts the Markdown that shows the file name at the
    // cursor; the alt text is the file's name as the person had it.
    function insertRef(name, image, original) {
      var alt = (original || name).replace(/^.*[\\/]/, "").replace(/\.[^.]*$/, "").replace(/[-_]+/g, " ").replace(/[\[\]]/g, "");
      var ref = image ? "![" + alt + "](" + name + ")" : "[" + name + "](" + name + ")";
      var start = text.selectionStart, end = text.selectionEnd;
      var before = text.value.slice(0, start);
      // An image goes in a paragraph of its own.
      if (image && before !== "") ref = (/\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n") + ref + "\n";
      text.setRangeText(ref, start, end, "end");
      text.focus();
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function addToList(a) {
      var old = list.querySelector('li[data-name="' + a.name.replace(/"/g, "") + '"]');
      if (old) old.remove();
      var li = document.createElement("li");
      li.setAttribute("data-name", a.name);
      if (isImage(a.content_type)) {
        var img = document.createElement("img");
        img.src = a.url; img.alt = ""; img.className = "thumb";
        li.appendChild(img);
      }
      var link = document.createElement("a");
      link.href = a.url;
      var code = document.createElement("code");
      code.textContent = a.name;
      link.appendChild(code);
      li.appendChild(link);
      list.appendChild(li);
    }
    function pastedName(file) {
      var ext = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
      var d = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return "pasted-" + d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + "-" +
        pad(d.getHours()) + pad(d.getMinutes()) + pad(d.getSeconds()) + "." + ext;
    }
    function send(file, name) {
      if (!url) {
        // A page not saved yet: the file goes with the form.
        var dt = new DataTransfer();
        Array.prototype.forEach.call(input.files, function (f) { dt.items.add(f); });
        dt.items.add(new File([file], name, { type: file.type }));
        input.files = dt.files;
        insertRef(serverName(name), isImage(file.type), name);
        say(name + " will be attached when you save the page.");
        return;
      }
      var fd = new FormData();
      fd.append("file", file, name);
      say("Uploading " + name + "…");
      fetch(url, { method: "POST", body: fd, headers: { "X-CSRF-Token": csrfToken() }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          if (!res.ok) {
            say("Could not attach " + name + ": " + (res.j.error ? res.j.error.message : "error"));
            return;
          }
          addToList(res.j);
          insertRef(res.j.name, isImage(res.j.content_type), name);
          say("Attached " + res.j.name + (res.j.unchanged ? " (already there)." : " as revision " + res.j.revision + "."));
        })
        .catch(function () { say("Could not attach " + name + ": the server did not answer."); });
    }
    function sendAll(files, pasted) {
      Array.prototype.forEach.call(files, function (f) { send(f, pasted || !f.name ? pastedName(f) : f.name); });
    }
    list.querySelectorAll(".insert-file").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { insertRef(b.getAttribute("data-name"), b.getAttribute("data-image") === "true"); });
    });
    function hasFiles(e) { return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0; }
    text.addEventListener("dragover", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      text.classList.add("dropping");
    });
    text.addEventListener("dragleave", function () { text.classList.remove("dropping"); });
    text.addEventListener("drop", function (e) {
      text.classList.remove("dropping");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      sendAll(e.dataTransfer.files, false);
    });
    text.addEventListener("paste", function (e) {
      var files = e.clipboardData && e.clipboardData.files;
      if (!files || !files.length) return;
      e.preventDefault();
      sendAll(files, true);
    });
    input.addEventListener("change", function () {
      // Chosen files are saved with the page; show where they will be.
      Array.prototype.forEach.call(input.files, function (f) { insertRef(serverName(f.name), isImage(f.type), f.name); });
      if (input.files.length) say("The chosen files are attached when you save.");
    });
  }

  // Sign-in keeps the #question of the page that sent people here: the
  // server never sees a fragment, so it goes into the form's next.
  function loginFragment() {
    var next = document.getElementById("login-next");
    if (!next || !location.hash || next.value.indexOf("#") >= 0) return;
    next.value += location.hash;
  }

  // A draft the editor kept (editor.js) is done with once the page says
  // it was saved.
  function dropSavedDraft() {
    var page = document.querySelector("article.page[data-slug]");
    if (!page || !document.querySelector("p.flash")) return;
    try {
      ["faqwiki-draft:" + page.getAttribute("data-slug"), "faqwiki-draft:new"].forEach(function (k) {
        var d = JSON.parse(localStorage.getItem(k) || "null");
        if (d && d.sent && (k !== "faqwiki-draft:new" || d.fields && d.fields.title === page.getAttribute("data-title"))) localStorage.removeItem(k);
      });
    } catch (e) { /* no storage */ }
  }

  // The header's menus are <details>, which open and close without
  // JavaScript; with it, a click elsewhere or Escape closes them too.
  function menus() {
    var all = document.querySelectorAll("header.site details");
    function closeAll(except) {
      all.forEach(function (d) { if (d !== except) d.open = false; });
    }
    document.addEventListener("click", function (e) {
      closeAll(e.target.closest ? e.target.closest("header.site details") : null);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") closeAll(null);
    });
  }

  // A link or token shown to copy (input.copy) gets a Copy button: the
  // box is narrower than the link, and selecting all of it by hand on a
  // phone is fiddly. Without script, the box is still there to select.
  function copyButtons() {
    document.querySelectorAll("input.copy").forEach(function (input) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "secondary small copy-button";
      b.textContent = "Copy";
      b.setAttribute("aria-label", "Copy " + (input.getAttribute("aria-label") || (input.labels && input.labels[0] ? input.labels[0].textContent : "the link")));
      b.addEventListener("click", function () {
        function done() { b.textContent = "Copied"; setTimeout(function () { b.textContent = "Copy"; }, 2000); }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
        } else {
          input.select();
          try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
        }
      });
      input.insertAdjacentElement("afterend", b);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    menus();
    copyButtons();
    loginFragment();
    dropSavedDraft();
    // Says the enhancements are on, for styles (and for tests that check
    // a page works with them off).
    document.documentElement.classList.add("js");
    uploads();
    liveSearch();
    quickSearch();
    livePreview();
    guardUnsaved();
    keys();
  });
})();
