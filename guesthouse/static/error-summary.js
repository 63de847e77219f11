// After a failed submission, focus goes to the summary of errors at the top of the form, so that a
// keyboard or screen-reader user starts from the list of fields to correct. Served as a file, not
// inline, so that the Content-Security-Policy (default-src 'self') lets it run.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
