/* page.js: small behaviour every page shares, as a file, since the Content-Security-Policy
 * allows no inline script or event handler attribute.
 *
 *   <select data-submit-on-change>   sends its form when another option is chosen (the
 *                                    language menu; a <noscript> button does it without JS)
 *   <details class="menu">           the top menu: open on a wide screen (its button is
 *                                    hidden there), folded on a narrow one; Escape folds it
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  });

  var menu = document.querySelector("details.menu");
  var wide = window.matchMedia && window.matchMedia("(min-width: 40.01rem)");
  if (menu && wide) {
    var fit = function () { menu.open = wide.matches; };
    fit();
    wide.addEventListener("change", fit);
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }
}());
