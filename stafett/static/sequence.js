/* sequence.js: "add" and "remove" for Deform's sequence widget (the guardians of a new log),
 * without jQuery and without inline script, which the Content-Security-Policy refuses.
 *
 * The markup is templates/deform/sequence.pt and sequence_item.pt:
 *   div.deform-seq[data-min-len][data-max-len]
 *     input.deform-proto[prototype]      one item's HTML, URL-encoded, ids "deformFieldN"
 *     div.deform-seq-container > div.deform-seq-item ... span.deform-insert-before[data-now-len]
 *     button.deform-seq-add (hidden until this script runs)
 *   each item: button.deform-close-button (hidden until this script shows it)
 * A new item gets the prototype's ids (and names made of them, as a radio group's) with a
 * random suffix, as deform.js does, so labels stay tied to their fields and every item's
 * radio buttons form a group of their own; Deform reads the items by position.
 */
(function () {
  "use strict";
  var FIELD = /deformField(\d+)/g;
  var LINKS = ["id", "for", "name", "aria-describedby", "aria-labelledby"];

  function own(seq, selector) {
    // The sequence's own element, not one of a sequence nested in its items.
    return Array.prototype.filter.call(seq.querySelectorAll(selector), function (el) {
      return el.closest(".deform-seq") === seq;
    });
  }

  function limits(seq) {
    var marker = own(seq, ".deform-insert-before")[0];
    return {
      marker: marker,
      min: parseInt(seq.getAttribute("data-min-len") || "0", 10),
      max: parseInt(seq.getAttribute("data-max-len") || "100000", 10),
      now: parseInt(marker.getAttribute("data-now-len") || "0", 10)
    };
  }

  function showButtons(seq) {
    var at = limits(seq);
    own(seq, ".deform-seq-add").forEach(function (button) { button.hidden = at.now >= at.max; });
    own(seq, ".deform-close-button").forEach(function (button) { button.hidden = at.now <= at.min; });
  }

  function renumbered(html) {
    var suffix = Math.random().toString(36).slice(2, 8);
    var template = document.createElement("template");
    template.innerHTML = html;
    template.content.querySelectorAll("*").forEach(function (el) {
      LINKS.forEach(function (name) {
        var value = el.getAttribute(name);
        if (value) { el.setAttribute(name, value.replace(FIELD, "deformField$1-" + suffix)); }
      });
    });
    return template.content;
  }

  function add(seq) {
    var at = limits(seq);
    if (at.now >= at.max) { return; }
    var proto = own(seq, ".deform-proto")[0];
    var item = renumbered(decodeURIComponent(proto.getAttribute("prototype")));
    var first = item.firstElementChild;
    at.marker.parentNode.insertBefore(item, at.marker);
    at.marker.setAttribute("data-now-len", String(at.now + 1));
    showButtons(seq);
    changed(seq);
    var field = first && first.querySelector("input:not([type=hidden]), select, textarea");
    if (field) { field.focus(); }
  }

  function remove(button) {
    var item = button.closest(".deform-seq-item");
    var seq = item.closest(".deform-seq");
    var at = limits(seq);
    if (at.now <= at.min) { return; }
    item.remove();
    at.marker.setAttribute("data-now-len", String(at.now - 1));
    showButtons(seq);
    changed(seq);
    var next = own(seq, ".deform-seq-add")[0];
    if (next && !next.hidden) { next.focus(); }
  }

  function changed(seq) {
    // autosave.js keeps the form's fields as they are now.
    seq.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function start() {
    document.querySelectorAll(".deform-seq").forEach(showButtons);
    document.addEventListener("click", function (event) {
      var target = event.target.closest(".deform-seq-add, .deform-close-button");
      if (!target) { return; }
      event.preventDefault();
      if (target.classList.contains("deform-seq-add")) {
        add(target.closest(".deform-seq"));
      } else {
        remove(target);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
