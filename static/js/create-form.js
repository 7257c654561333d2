// The create page (templates/jobs/create.html): shows only the chosen mode's fields
// (each section names its modes in data-modes), and a storyboard's shots two at first,
// with Add shot and Remove shot. Without JavaScript every field shows: the server sends
// only the chosen mode's fields on, and leaves out the empty shots at the end.
(function () {
  "use strict";
  var form = document.getElementById("create-form");
  if (!form) return;
  var mode = form.elements.namedItem("mode");
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-modes]"));

  function hasError(element) {
    return element.querySelector('[aria-invalid="true"]') !== null;
  }

  function showMode() {
    var chosen = mode && mode.value ? mode.value : "text";
    sections.forEach(function (section) {
      var used = section.getAttribute("data-modes").split(" ").indexOf(chosen) !== -1;
      section.hidden = !used && !hasError(section); // an error is never hidden
    });
  }

  if (mode && mode.tagName === "SELECT") mode.addEventListener("change", showMode);
  showMode();

  var board = document.getElementById("storyboard");
  if (!board) return;
  var shots = Array.prototype.slice.call(board.querySelectorAll("fieldset.shot"));
  var controls = document.getElementById("shot-controls");
  var add = document.getElementById("shot-add");
  var remove = document.getElementById("shot-remove");
  var least = parseInt(board.getAttribute("data-min-shots"), 10) || 2;

  function filled(shot) {
    var prompt = shot.querySelector("textarea");
    var image = shot.querySelector('input[type="file"]');
    return (prompt && prompt.value.trim() !== "") || (image && image.files.length > 0) || hasError(shot);
  }

  var count = least;
  shots.forEach(function (shot, index) {
    if (filled(shot)) count = Math.max(count, index + 1);
  });

  function render() {
    shots.forEach(function (shot, index) { shot.hidden = index >= count; });
    add.disabled = count >= shots.length;
    remove.disabled = count <= least;
  }

  add.addEventListener("click", function () {
    if (count >= shots.length) return;
    count += 1;
    render();
    var prompt = shots[count - 1].querySelector("textarea");
    if (prompt) prompt.focus();
  });

  remove.addEventListener("click", function () {
    if (count <= least) return;
    // Emptied, so the server leaves it out as it does any empty shot at the end.
    var last = shots[count - 1];
    Array.prototype.slice.call(last.querySelectorAll("textarea, input[type=file]")).forEach(
      function (input) { input.value = ""; }
    );
    count -= 1;
    render();
    if (remove.disabled) add.focus();
  });

  controls.hidden = false;
  render();
})();
