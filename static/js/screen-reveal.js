// A video the pre-screen flagged shows blurred (the "screen-blurred" class on #watch)
// until the reviewer reveals it, by the button or the v key (static/js/review-keys.js).
// Revealing is not a decision: nothing is sent to the server.
(function () {
  "use strict";
  var button = document.getElementById("reveal-button");
  var watch = document.getElementById("watch");
  if (!button || !watch) return;
  button.addEventListener("click", function () {
    watch.classList.remove("screen-blurred");
    var said = document.getElementById("screen-said");
    if (said) said.textContent = "Revealed.";
    button.hidden = true;
    var video = document.getElementById("review-video");
    if (video) video.focus();
  });
})();
