// Keeps the review queue current: refetches the rows every 10 s unless the reviewer has
// ticked items (so a selection is never lost under their cursor).
(function () {
  "use strict";
  var table = document.getElementById("queue");
  var body = document.getElementById("queue-rows");
  if (!table || !body) return;
  function refresh() {
    if (body.querySelector("input[type=checkbox]:checked")) return;
    var url = new URL(table.dataset.refreshUrl, window.location.href);
    url.searchParams.set("fragment", "1");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) body.innerHTML = html; });
  }
  setInterval(refresh, 10000);
})();
