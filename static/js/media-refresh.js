// Signed media links live a few minutes (decision 0007). A page left open longer would
// find its video dead on the next play or seek, until a reload. This keeps the links
// fresh from the API: while the video is paused, shortly before they expire; before a
// play or seek with an old link; and after any playback error, resuming where it was.
// Without JavaScript the page's links work until they expire. Job and review pages ask
// the job's API; the gallery and unlisted pages ask their own public endpoint.
(function () {
  "use strict";
  document.querySelectorAll("video[data-media-refresh-url]").forEach(function (video) {
    var url = video.dataset.mediaRefreshUrl;
    var ttl = Math.max(2, parseInt(video.dataset.mediaTtl || "600", 10)) * 1000;
    var freshAt = Date.now();
    var pending = null;
    var lastErrorRefresh = 0;

    function old() { return Date.now() - freshAt > ttl * 0.8; }

    function refresh() {
      if (pending) return pending;
      pending = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          // A job's JSON (job and review pages) holds the links under "output"; a
          // public page's answer is the links themselves.
          var output = data && (data.output || data);
          if (!output || !output.video_url) return;
          var at = video.currentTime;
          var playing = !video.paused && !video.ended;
          freshAt = Date.now();
          video.poster = output.poster_url;
          video.src = output.video_url;
          if (at > 0 || playing) {
            video.addEventListener("loadedmetadata", function resume() {
              video.removeEventListener("loadedmetadata", resume);
              if (at > 0) video.currentTime = at;
              if (playing) video.play().catch(function () {});
            });
          }
        })
        .catch(function () {})
        .then(function () { pending = null; });
      return pending;
    }

    function tick() {
      if (video.paused && old()) refresh();
      setTimeout(tick, Math.min(ttl * 0.2, 60000));
    }
    setTimeout(tick, ttl * 0.2);
    video.addEventListener("play", function () { if (old()) refresh(); });
    video.addEventListener("seeking", function () { if (old()) refresh(); });
    video.addEventListener("error", function () {
      // One refresh per few seconds: a file that really is gone must not loop.
      if (Date.now() - lastErrorRefresh < 5000) return;
      lastErrorRefresh = Date.now();
      refresh();
    });
  });
})();
