// The survey editor's "Add a question" button: copies the empty question row the page
// keeps in a <template>, numbered after the last row. Without JavaScript the page still
// offers a few empty rows, and saving offers more.
(function () {
  "use strict";
  var button = document.getElementById("add-question");
  var template = document.getElementById("survey-question-template");
  var rows = document.getElementById("survey-question-rows");
  var total = document.getElementById("id_questions-TOTAL_FORMS");
  var most = document.getElementById("id_questions-MAX_NUM_FORMS");
  if (!button || !template || !rows || !total) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (most && index >= parseInt(most.value, 10)) {
      button.disabled = true;
      return;
    }
    var html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    var first = added && added.querySelector("select, input, textarea");
    if (first) {
      first.focus();
    }
  });
})();
