// The review player (issue 18): custom controls over the review page's <video>, all by
// keyboard. Space or k play/pause; "," and "." step one frame (1/fps) back/forward, pausing;
// "<" and ">" slower/faster through 0.25×, 0.5×, 1×, 1.5×, 2×; l loop on/off; on the
// focused filmstrip (a slider) the left/right arrows move one tile, Home/End to the ends,
// and a click seeks. Speed and loop changes are said in a live region. Without this
// script the native controls stay. No key acts while typing in a field (the note), and
// the decision keys of review-keys.js (c a r n v, digits) are left alone.
(function () {
  "use strict";
  var video = document.getElementById("review-video");
  var player = document.getElementById("review-player");
  if (!video || !player) return;
  var play = document.getElementById("player-play");
  var back = document.getElementById("player-back");
  var forward = document.getElementById("player-forward");
  var speed = document.getElementById("player-speed");
  var loop = document.getElementById("player-loop");
  var time = document.getElementById("player-time");
  var strip = document.getElementById("player-strip");
  var said = document.getElementById("player-said");
  var speeds = [0.25, 0.5, 1, 1.5, 2];
  var fps = parseFloat(player.getAttribute("data-fps")) || 24;
  var frames = parseInt(player.getAttribute("data-frames"), 10) || 0;
  var tiles = parseInt(strip.getAttribute("data-tiles"), 10) || 0;

  video.controls = false;
  player.hidden = false;

  function duration() {
    return isFinite(video.duration) && video.duration > 0
      ? video.duration
      : parseFloat(player.getAttribute("data-duration")) || 0;
  }

  function announce(text) { said.textContent = text; }

  function seek(seconds) {
    video.currentTime = Math.max(0, Math.min(duration(), seconds));
    show();
  }

  function show() {
    var total = duration();
    var now = video.currentTime || 0;
    var frame = Math.min(frames || Infinity, Math.floor(now * fps + 1e-6) + 1);
    time.textContent = now.toFixed(2) + " s / " + total.toFixed(2) + " s" +
      (frames ? " · frame " + frame + " of " + frames : "");
    // CSSOM (allowed by the strict CSP, unlike a style attribute): the playhead's place.
    strip.style.setProperty("--position", total ? String(now / total) : "0");
    strip.setAttribute("aria-valuemax", total.toFixed(2));
    strip.setAttribute("aria-valuenow", now.toFixed(2));
    strip.setAttribute("aria-valuetext", now.toFixed(2) + " s of " + total.toFixed(2) + " s");
    play.textContent = video.paused ? "Play" : "Pause";
  }

  function toggle() {
    if (video.paused) {
      var started = video.play();
      if (started && started.catch) started.catch(function () { show(); });
    } else {
      video.pause();
    }
  }

  function step(direction) {
    video.pause();
    // From the frame shown now to its neighbour's start time (frame n starts at n/fps).
    var frame = Math.round((video.currentTime || 0) * fps);
    seek((frame + direction) / fps);
  }

  function setSpeed(rate) {
    video.playbackRate = rate;
    video.defaultPlaybackRate = rate;
    speed.value = String(rate);
    announce("Speed " + rate + "×");
  }

  function changeSpeed(direction) {
    var at = speeds.indexOf(video.playbackRate);
    if (at < 0) at = speeds.indexOf(1);
    var next = Math.max(0, Math.min(speeds.length - 1, at + direction));
    setSpeed(speeds[next]);
  }

  function toggleLoop() {
    video.loop = !video.loop;
    loop.setAttribute("aria-pressed", video.loop ? "true" : "false");
    announce(video.loop ? "Loop on" : "Loop off");
  }

  play.addEventListener("click", toggle);
  back.addEventListener("click", function () { step(-1); });
  forward.addEventListener("click", function () { step(1); });
  speed.addEventListener("change", function () { setSpeed(parseFloat(speed.value)); });
  loop.addEventListener("click", toggleLoop);
  ["play", "pause", "timeupdate", "seeked", "loadedmetadata", "durationchange"].forEach(function (name) {
    video.addEventListener(name, show);
  });
  video.addEventListener("click", toggle);

  strip.addEventListener("click", function (event) {
    var box = strip.getBoundingClientRect();
    if (box.width > 0) seek(((event.clientX - box.left) / box.width) * duration());
  });
  strip.addEventListener("keydown", function (event) {
    var total = duration();
    var jump = tiles ? total / tiles : 1;
    if (event.key === "ArrowRight" || event.key === "ArrowUp") seek(video.currentTime + jump);
    else if (event.key === "ArrowLeft" || event.key === "ArrowDown") seek(video.currentTime - jump);
    else if (event.key === "Home") seek(0);
    else if (event.key === "End") seek(total);
    else return;
    event.preventDefault();
  });

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function interactive(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "button" || tag === "a" || tag === "summary" || typing(target);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var key = event.key;
    if (key === " ") {
      // Space on a button or link is that control's own: only elsewhere does it play.
      if (interactive(event.target)) return;
      toggle();
    } else if (key === "k") toggle();
    else if (key === ",") step(-1);
    else if (key === ".") step(1);
    else if (key === "<") changeSpeed(-1);
    else if (key === ">") changeSpeed(1);
    else if (key === "l" && !event.repeat) toggleLoop();
    else return;
    event.preventDefault();
  });

  show();
})();
