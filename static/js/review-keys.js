// Keyboard decisions on a review page (the page's "Keys" list says the same to everyone):
// a approves; a digit picks that numbered reject reason and moves to the note, where
// Ctrl+Enter (Cmd+Enter) sends the rejection; c claims, r goes to the reason list, n opens
// the next item. The server claims a free item on approve or reject and then shows the
// next one. Letters and digits do nothing while typing in a field, so notes may hold them.
(function () {
  "use strict";
  // One decision per page: a held or repeated key must not send a second request.
  var sent = false;

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function send(form, button) {
    sent = true;
    if (form.requestSubmit) form.requestSubmit(button);
    else button.click();
  }

  function pickReason(digit) {
    var entry = document.querySelector('#reason-keys [data-reason-key="' + digit + '"]');
    var select = document.getElementById("id_reason_code");
    var note = document.getElementById("id_note");
    if (!entry || !select || !note) return false;
    select.value = entry.getAttribute("data-reason-code");
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var said = document.getElementById("reason-picked");
    if (said) {
      said.textContent = "Reason " + digit + ": " + entry.textContent.replace(/^\s*\d+\s*/, "").trim() +
        ". Write the note, then Ctrl+Enter to reject.";
    }
    note.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (sent || event.defaultPrevented || event.isComposing) return;
    var reject = document.getElementById("reject-form");
    var rejectButton = document.getElementById("reject-button");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey &&
        reject && rejectButton && reject.contains(event.target)) {
      event.preventDefault();
      send(reject, rejectButton);
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (/^[1-9]$/.test(event.key)) {
      // preventDefault: the digit must not land in the note that now has the focus.
      if (pickReason(event.key)) event.preventDefault();
      return;
    }
    if (event.key === "v") {
      // Reveal a video the pre-screen flagged (static/js/screen-reveal.js): not a decision.
      var reveal = document.getElementById("reveal-button");
      if (reveal && !reveal.hidden) { event.preventDefault(); reveal.click(); }
      return;
    }
    if (event.key === "r") {
      var reason = document.getElementById("id_reason_code");
      if (reason) { event.preventDefault(); reason.focus(); }
      return;
    }
    var target = null;
    if (event.key === "c") target = document.getElementById("claim-button");
    if (event.key === "a") target = document.getElementById("approve-button");
    if (event.key === "n") target = document.getElementById("next-link");
    if (!target) return;
    event.preventDefault();
    if (target.form) send(target.form, target);
    else { sent = true; target.click(); }
  });

  // Back from the next page (back/forward cache): the keys work again.
  window.addEventListener("pageshow", function (event) { if (event.persisted) sent = false; });

  // A refused rejection comes back with the reason and note kept: go straight to the fix.
  var invalid = document.querySelector('#reject-form [aria-invalid="true"]');
  if (invalid) invalid.focus();
})();
