/* autosave.js: nothing typed is lost (R28), and nothing is put back unannounced.
 *
 * How a form opts in
 *   <form data-autosave="FORM-ID" data-autosave-owner="HASH" ...>  (stafett.forms.make_form)
 *   <script src="${request.static_url('stafett:static/autosave.js')}" defer></script>
 *   The layout holds <template id="autosave-notice">: the notice shown above the form, with
 *   its buttons [data-autosave-restore] and [data-autosave-discard] and the two texts
 *   [data-autosave-restored] and [data-autosave-offered].
 *   Optional: data-autosave-url="URL" on the form: the fields are also POSTed there (with the
 *   form's csrf_token) a moment after typing stops, for a copy on the server.
 *   After a successful save the server redirects to a URL with ?saved=FORM-ID (see
 *   stafett.views.formview.FormView.done): that clears the browser copy.
 *
 * What it does
 *   Every visible field of the form is kept in localStorage under
 *   "stafett-autosave:" + owner + ":" + path + "#" + FORM-ID as the user types (the owner is
 *   a hash of who is logged in, so one person's text never appears in another's form).
 *   When the form is opened again in the same browser tab (after the 20-minute idle timeout
 *   sent the user to the login page and back, or after a "form expired" error), the values
 *   are put back and the notice above the form says so and offers to discard them. A copy
 *   left from another tab or an earlier visit is only offered: the form stays as the server
 *   drew it until the user chooses to put the text back. Hidden fields (the CSRF token),
 *   passwords and files are never stored. Copies older than a week, and all copies when the
 *   user logs out, are removed, since computers are shared.
 */
(function () {
  "use strict";
  var PREFIX = "stafett-autosave:";
  var PENDING = "stafett-autosave-pending";
  var TYPED_HERE = "stafett-autosave-typed";  // sessionStorage: keys typed in this tab
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000;
  var SKIP = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1 };

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function keyFor(form) {
    return PREFIX + (form.getAttribute("data-autosave-owner") || "") + ":" +
      window.location.pathname + "#" + form.getAttribute("data-autosave");
  }

  function tabList(name) {
    try { return JSON.parse(window.sessionStorage.getItem(name) || "[]"); } catch (e) { return []; }
  }

  function addToTabList(name, key) {
    var list = tabList(name);
    if (list.indexOf(key) < 0) { list.push(key); }
    window.sessionStorage.setItem(name, JSON.stringify(list));
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
    if (changed) { form.dispatchEvent(new CustomEvent("stafett:restored")); }
    return changed;
  }

  function discard(form) {
    var store = storage();
    if (store) { store.removeItem(keyFor(form)); }
    form.reset();
    form.dispatchEvent(new CustomEvent("stafett:restored"));
  }

  function showNotice(form, restored) {
    var template = document.getElementById("autosave-notice");
    if (!template) { return; }
    var notice = template.content.firstElementChild.cloneNode(true);
    notice.querySelector("[data-autosave-restored]").hidden = !restored;
    notice.querySelector("[data-autosave-offered]").hidden = restored;
    var restoreButton = notice.querySelector("[data-autosave-restore]");
    restoreButton.hidden = restored;
    restoreButton.addEventListener("click", function () {
      restore(form);
      notice.querySelector("[data-autosave-restored]").hidden = false;
      notice.querySelector("[data-autosave-offered]").hidden = true;
      restoreButton.hidden = true;
    });
    notice.querySelector("[data-autosave-discard]").addEventListener("click", function () {
      discard(form);
      notice.remove();
    });
    form.parentNode.insertBefore(notice, form);
  }

  function hasCopy(form) {
    var store = storage();
    var raw = store && store.getItem(keyFor(form));
    if (!raw) { return false; }
    try {
      var saved = JSON.parse(raw).values;
      return fields(form).some(function (f) {
        return f.id in saved && saved[f.id] !== (
          (f.el.type === "checkbox" || f.el.type === "radio") ? f.el.checked : f.el.value);
      });
    } catch (e) { return false; }
  }

  function clearSaved() {
    var params = new URLSearchParams(window.location.search);
    var formId = params.get("saved");
    var store = storage();
    if (!formId || !store) { return; }
    var ofThisForm = function (key) { return key.slice(-(formId.length + 1)) === "#" + formId; };
    tabList(PENDING).filter(ofThisForm).forEach(function (key) { store.removeItem(key); });
    [PENDING, TYPED_HERE].forEach(function (name) {
      window.sessionStorage.setItem(name, JSON.stringify(tabList(name).filter(function (key) {
        return !ofThisForm(key) && store.getItem(key) !== null;
      })));
    });
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
    if (tabList(TYPED_HERE).indexOf(keyFor(form)) >= 0) {
      if (restore(form)) { showNotice(form, true); }
    } else if (hasCopy(form)) {
      showNotice(form, false);
    }
    function changed() {
      save(form);
      addToTabList(TYPED_HERE, keyFor(form));
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { serverCopy(form); }, 1500);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () {
      save(form);
      addToTabList(PENDING, keyFor(form));
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
