/* page.js: small behaviour every page shares, as a file, since the Content-Security-Policy
 * allows no inline script or event handler attribute.
 *
 *   <select data-submit-on-change>   sends its form when another option is chosen (the
 *                                    language menu; a <noscript> button does it without JS)
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  });
}());
