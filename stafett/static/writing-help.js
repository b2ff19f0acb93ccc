/* writing-help.js: plain-language hints while typing (R32).
 *
 * Every field with data-writing-help="text" or "goal" gets a live list of hints right after
 * it. The text is POSTed (never put in a URL) to the script's data-url with the form's
 * csrf_token; the server (stafett.services.writing_help) answers with hints already in the
 * user's language. Hints never block saving.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");

  function hintList(field) {
    var list = field.parentNode.querySelector("ul.writing-hints-live");
    if (!list) {
      list = document.createElement("ul");
      list.className = "writing-hints-live";
      list.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", list);
    }
    return list;
  }

  function show(field, hints) {
    var list = hintList(field);
    list.textContent = "";
    hints.forEach(function (hint) {
      var item = document.createElement("li");
      item.textContent = hint.message;
      list.appendChild(item);
    });
  }

  function ask(field) {
    var token = field.form && field.form.querySelector("input[name='csrf_token']");
    var body = new FormData();
    body.append("text", field.value);
    body.append("kind", field.getAttribute("data-writing-help"));
    body.append("csrf_token", token ? token.value : "");
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { hints: [] }; })
      .then(function (data) { show(field, data.hints || []); })
      .catch(function () { /* no hints when offline */ });
  }

  function watch(field) {
    var timer = null;
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { ask(field); }, 600);
    });
    if (field.value) { ask(field); }
  }

  function start() {
    if (!url || !window.fetch) { return; }
    document.querySelectorAll("[data-writing-help]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
