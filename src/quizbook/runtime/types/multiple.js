// @ts-check
// multiple: one checkbox per option; the response is the list of chosen option ids.
// Score: points × max(0, hits / right options − wrong picks / wrong options).
// This file reads and writes its controls; markers/multiple.js marks it (marking.js).

registerQuestionType("multiple", {
  feedbackBesideParts: true,

  read(fieldset) {
    return inputsIn(fieldset, "input[type=checkbox]").filter((box) => box.checked).map((box) => box.value);
  },

  write(fieldset, response) {
    for (const box of inputsIn(fieldset, "input[type=checkbox]")) {
      box.checked = Array.isArray(response) && response.includes(box.value);
    }
  },
});
