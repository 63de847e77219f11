// A "copy" button beside each read-only address marked `copyable` with its labels (data-copy-*).
// Progressive enhancement: without JavaScript, the address is selected and copied by hand. Served as a
// file, not inline, so that the Content-Security-Policy (default-src 'self') lets it run.
(function () {
  "use strict";

  function copy(input, status) {
    var done = function () { status.textContent = input.dataset.copiedLabel; };
    var byHand = function () {
      input.focus();
      input.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      status.textContent = copied ? input.dataset.copiedLabel : input.dataset.copyFailedLabel;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, byHand);
    } else {
      byHand();
    }
  }

  document.querySelectorAll("input.copyable[data-copy-label]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = input.dataset.copyLabel;
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    input.after(button, " ", status);
    button.addEventListener("click", function () { copy(input, status); });
  });
})();
