/* measure-form.js: the measure form follows R25 as it is filled in.
 *
 *   arena "home"     -> the responsible party is the home (the guardians), chosen for you
 *   party not actor  -> the employee field is hidden and emptied, so no employee chosen
 *                       earlier (or put back by autosave.js) goes along unseen
 *
 * The server does the same (stafett.forms.log_content.responsible_from_arena); this only
 * keeps what the form shows in step with what will be saved.
 */
(function () {
  "use strict";

  function item(field) {
    return field.closest(".form-group, .mb-3") || field.parentNode;
  }

  function follow(form) {
    var arena = form.querySelector("select[name=arena]");
    var party = form.querySelector("select[name=party]");
    var actor = form.querySelector("select[name=actor]");
    if (!arena || !party || !actor) { return; }
    var home = arena.value === "home";
    if (home) { party.value = "home"; }
    Array.prototype.forEach.call(party.options, function (option) {
      option.disabled = home && option.value !== "home";
    });
    var needsActor = party.value === "actor";
    if (!needsActor) { actor.value = ""; }
    item(actor).hidden = !needsActor;
  }

  function start() {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("select[name=arena]")) { return; }
      follow(form);
      form.addEventListener("change", function () { follow(form); });
      form.addEventListener("stafett:restored", function () { follow(form); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
