/* A form the server sent back opens at the top of the page, while on a phone its fields (and
 * before, the error summary) are far below. Move focus to the error summary, as GOV.UK does:
 * it scrolls into view and a screen reader reads it. Its links move focus to the field they
 * name and bring the field's label into view with it. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) return;
    event.preventDefault();
    (input.closest(".field") || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
