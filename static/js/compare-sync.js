// The compare page (templates/jobs/compare.html): one Play/Pause button, one Restart and one
// position slider drive every video, which are kept in step. The longest video is the
// clock; a video that drifts more than TOLERANCE from it is put back; a shorter video
// stays on its last frame until the clock passes its end. Without JavaScript each video
// keeps its own controls. Signed links are renewed by media-refresh.js, which resumes a
// video where it was; the next tick puts it back in step.
(function () {
  "use strict";
  var controls = document.getElementById("compare-controls");
  var videos = Array.prototype.slice.call(document.querySelectorAll("video.compare-video"));
  if (!controls || videos.length < 2) return;
  var play = document.getElementById("compare-play");
  var restart = document.getElementById("compare-restart");
  var scrubber = document.getElementById("compare-scrubber");
  var readout = document.getElementById("compare-time");
  var labels = {
    play: controls.dataset.labelPlay,
    pause: controls.dataset.labelPause,
    seconds: controls.dataset.unitSeconds,
  };
  var TOLERANCE = 0.1; // seconds
  var playing = false;
  var ticking = false; // one animation-frame loop at a time

  function length(video) { return isFinite(video.duration) ? video.duration : 0; }

  function longest() {
    return Math.max(parseFloat(scrubber.max) || 0, Math.max.apply(null, videos.map(length)));
  }

  function clock() {
    return videos.reduce(function (lead, video) { return length(video) > length(lead) ? video : lead; });
  }

  function show(at) {
    var end = longest();
    scrubber.max = end.toFixed(3);
    scrubber.value = at.toFixed(2);
    var text = at.toFixed(2) + " / " + end.toFixed(2) + " " + labels.seconds;
    readout.textContent = text;
    scrubber.setAttribute("aria-valuetext", text);
  }

  function seekAll(at) {
    videos.forEach(function (video) {
      var end = length(video);
      video.currentTime = end ? Math.min(at, end) : at;
    });
    show(at);
  }

  function setPlaying(on) {
    playing = on;
    play.textContent = on ? labels.pause : labels.play;
  }

  function tick() {
    if (!playing) {
      ticking = false;
      return;
    }
    var lead = clock();
    var at = lead.currentTime;
    videos.forEach(function (video) {
      if (video === lead || video.seeking) return;
      var end = length(video);
      if (end && at >= end) return; // shorter: holds its last frame
      if (Math.abs(video.currentTime - at) > TOLERANCE) video.currentTime = at;
      if (video.paused) video.play().catch(function () {});
    });
    show(at);
    if (lead.ended) {
      setPlaying(false);
      ticking = false;
      show(longest());
      return;
    }
    window.requestAnimationFrame(tick);
  }

  function start() {
    if (clock().currentTime >= longest() - 0.05) seekAll(0);
    setPlaying(true);
    var at = clock().currentTime;
    videos.forEach(function (video) {
      var end = length(video);
      if (!end || at < end) video.play().catch(function () {});
    });
    if (!ticking) {
      ticking = true;
      window.requestAnimationFrame(tick);
    }
  }

  function stop() {
    setPlaying(false);
    videos.forEach(function (video) { video.pause(); });
    show(clock().currentTime);
  }

  play.addEventListener("click", function () { if (playing) stop(); else start(); });
  restart.addEventListener("click", function () {
    seekAll(0);
    start();
  });
  scrubber.addEventListener("input", function () { seekAll(parseFloat(scrubber.value) || 0); });
  videos.forEach(function (video) {
    video.controls = false; // one set of controls for all: the group above
    video.addEventListener("loadedmetadata", function () { show(clock().currentTime); });
  });
  controls.hidden = false;
  show(0);
})();
