// Keyboard shortcuts on a review page: c claim, a approve, r reject (focuses the reason),
// n next item. Ignored while typing in a field.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = null;
    if (event.key === "c") target = document.getElementById("claim-button");
    if (event.key === "a") target = document.getElementById("approve-button");
    if (event.key === "n") target = document.getElementById("next-link");
    if (event.key === "r") {
      var reason = document.getElementById("id_reason_code");
      if (reason) { event.preventDefault(); reason.focus(); }
      return;
    }
    if (target) { event.preventDefault(); target.click(); }
  });
})();
