// Live progress for a job page: polls the API about twice a second while the job is
// queued or running, then reloads once to show the result. Without JavaScript the
// page still works (a Refresh link).
(function () {
  "use strict";
  var section = document.getElementById("job");
  if (!section) return;
  var url = section.dataset.statusUrl;
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-status-text");
  // The status words come from the page (data-label-*, translated there).
  var labels = {
    queued: section.dataset.labelQueued,
    running: section.dataset.labelRunning,
    succeeded: section.dataset.labelSucceeded,
    failed: section.dataset.labelFailed,
    canceled: section.dataset.labelCanceled
  };
  var terminal = { succeeded: true, failed: true, canceled: true };
  if (terminal[section.dataset.status]) return;

  // Place in the queue and estimated times (the API's "queue"; jobs.estimates). The words
  // are in the page (translated there); this only fills in the numbers and times.
  var queueBox = document.getElementById("job-queue");
  function show(id, on) {
    var element = document.getElementById(id);
    if (element) element.hidden = !on;
  }
  function setTime(id, iso) {
    var element = document.getElementById(id);
    if (!element || !iso) return;
    element.setAttribute("datetime", iso);
    element.textContent = iso.slice(0, 10) + " " + iso.slice(11, 16) + " UTC";
  }
  function updateQueue(queue) {
    if (!queueBox) return;
    queueBox.hidden = !queue;
    if (!queue) return;
    if (queue.position !== null) document.getElementById("queue-position").textContent = queue.position;
    show("queue-position-line", queue.position !== null);
    setTime("queue-start", queue.estimated_start);
    show("queue-start-line", !!queue.estimated_start);
    setTime("queue-finish", queue.estimated_finish);
    show("queue-finish-line", !!queue.estimated_finish);
    var noCapacity = queue.basis && queue.basis.workers_source === "none";
    show("queue-capacity", noCapacity);
    show("queue-no-estimate", !queue.estimated_finish && !noCapacity);
  }

  var retryAfter = 2000;
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        // Over the account's API budget (429) the server says when to come back.
        var wait = parseInt(response.headers.get("Retry-After") || "", 10);
        retryAfter = wait > 0 ? Math.min(wait, 60) * 1000 : 2000;
        return response.ok ? response.json() : null;
      })
      .then(function (job) {
        if (!job) { setTimeout(poll, retryAfter); return; }
        bar.value = job.progress;
        bar.textContent = Math.round(job.progress * 100) + " %";
        var label = labels[job.status] || job.status;
        text.textContent = job.status === "running" ? label + " — " + Math.round(job.progress * 100) + " %" : label;
        updateQueue(job.queue);
        if (terminal[job.status]) { window.location.reload(); return; }
        setTimeout(poll, 500);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
