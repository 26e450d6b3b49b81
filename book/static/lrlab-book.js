/*
 * LR Lab book: clicking a solution's title opens the solution.
 *
 * sphinx-exercise writes the title of a solution as a link to its exercise;
 * inside a dropdown (sphinx-togglebutton) a click on that link scrolled away
 * instead of opening the solution (the dropdown only reacts to clicks on the
 * title itself or its button). The click goes to the dropdown's button instead.
 */
(function () {
  "use strict";
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest(".solution.dropdown > .admonition-title a");
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      var button = link.closest(".admonition-title").querySelector(".toggle-button");
      if (button) button.click();
    },
    true
  );
})();
