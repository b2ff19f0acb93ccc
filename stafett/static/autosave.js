/* autosave.js: nothing typed is lost (R28).
 *
 * How a form opts in
 *   <form data-autosave="FORM-ID" ...>   (stafett.views.log_content.content_form does this)
 *   <script src="${request.static_url('stafett:static/autosave.js')}" defer></script>
 *   Optional: an element with the attribute data-autosave-notice (hidden) near the form; it is
 *   shown when typed text was put back.
 *   Optional: data-autosave-url="URL" on the form: the fields are also POSTed there (with the
 *   form's csrf_token) a moment after typing stops, for a copy on the server.
 *   After a successful save the server redirects to a URL with ?saved=FORM-ID (see
 *   stafett.views.log_content.saved): that clears the browser copy.
 *
 * What it does
 *   Every visible field of the form is kept in localStorage under
 *   "stafett-autosave:" + path + "#" + FORM-ID as the user types. When the page is loaded
 *   again (for instance after the 20-minute idle timeout sent the user to the login page and
 *   back, or after a "form expired" error), the values are put back. Hidden fields (the CSRF
 *   token), passwords and files are never stored. Copies older than a week, and all copies
 *   when the user logs out, are removed, since computers are shared.
 */
(function () {
  "use strict";
  var PREFIX = "stafett-autosave:";
  var PENDING = "stafett-autosave-pending";
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000;
  var SKIP = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1 };

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function keyFor(form) {
    return PREFIX + window.location.pathname + "#" + form.getAttribute("data-autosave");
  }

  function fields(form) {
    var list = [];
    Array.prototype.forEach.call(form.elements, function (el, index) {
      if (!el.name || SKIP[el.type] || el.tagName === "BUTTON") { return; }
      list.push({ el: el, id: el.name + "#" + index });
    });
    return list;
  }

  function snapshot(form) {
    var values = {};
    fields(form).forEach(function (f) {
      values[f.id] = (f.el.type === "checkbox" || f.el.type === "radio") ? f.el.checked : f.el.value;
    });
    return values;
  }

  function save(form) {
    var store = storage();
    if (!store) { return; }
    try {
      store.setItem(keyFor(form), JSON.stringify({ at: Date.now(), values: snapshot(form) }));
    } catch (e) { /* storage full: the server copy and the form itself remain */ }
  }

  function restore(form) {
    var store = storage();
    var raw = store && store.getItem(keyFor(form));
    if (!raw) { return false; }
    var saved;
    try { saved = JSON.parse(raw); } catch (e) { return false; }
    var changed = false;
    fields(form).forEach(function (f) {
      if (!(f.id in saved.values)) { return; }
      var value = saved.values[f.id];
      if (f.el.type === "checkbox" || f.el.type === "radio") {
        if (f.el.checked !== value) { f.el.checked = value; changed = true; }
      } else if (f.el.value !== value) {
        f.el.value = value;
        changed = true;
      }
    });
    return changed;
  }

  function clearSaved() {
    var params = new URLSearchParams(window.location.search);
    var formId = params.get("saved");
    var store = storage();
    if (!formId || !store) { return; }
    var pending = JSON.parse(window.sessionStorage.getItem(PENDING) || "[]");
    pending.filter(function (key) { return key.slice(-(formId.length + 1)) === "#" + formId; })
      .forEach(function (key) { store.removeItem(key); });
    window.sessionStorage.setItem(PENDING, JSON.stringify(pending.filter(function (key) {
      return store.getItem(key) !== null;
    })));
    params.delete("saved");
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "")
      + window.location.hash);
  }

  function forgetOld(everything) {
    var store = storage();
    if (!store) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) { continue; }
      var entry = null;
      try { entry = JSON.parse(store.getItem(key)); } catch (e) { /* removed below */ }
      if (everything || !entry || Date.now() - entry.at > MAX_AGE_MS) { store.removeItem(key); }
    }
  }

  function serverCopy(form) {
    var url = form.getAttribute("data-autosave-url");
    if (!url || !window.fetch) { return; }
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) { form.setAttribute("data-autosaved", new Date().toISOString()); }
      })
      .catch(function () { /* offline: the browser copy remains */ });
  }

  function watch(form) {
    var timer = null;
    if (restore(form)) {
      var notice = form.parentNode.querySelector("[data-autosave-notice]");
      if (notice) { notice.hidden = false; }
    }
    function changed() {
      save(form);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { serverCopy(form); }, 1500);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      save(form);
      var pending = JSON.parse(window.sessionStorage.getItem(PENDING) || "[]");
      if (pending.indexOf(keyFor(form)) < 0) { pending.push(keyFor(form)); }
      window.sessionStorage.setItem(PENDING, JSON.stringify(pending));
    });
  }

  function start() {
    clearSaved();
    forgetOld(false);
    document.querySelectorAll("form[action$='/logout']").forEach(function (form) {
      form.addEventListener("submit", function () { forgetOld(true); });
    });
    document.querySelectorAll("form[data-autosave]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
