/*
 * LR Lab book: clicking a solution's title opens the solution.
 *
 * sphinx-exercise writes the title of a solution as a link to its exercise;
 * inside a dropdown (sphinx-togglebutton) that link would scroll away instead
 * of opening the solution. The click goes to the dropdown's toggle instead.
 */
(function () {
  "use strict";
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest(".solution.dropdown > .admonition-title a");
      if (link) event.preventDefault();
    },
    true
  );
})();
