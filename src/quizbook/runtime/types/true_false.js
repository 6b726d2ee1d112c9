// @ts-check
// true_false: radio buttons True / False (values "true", "false"); the response is a boolean.
// This file reads and writes its controls; markers/true_false.js marks it (marking.js).

registerQuestionType("true_false", {
  read(fieldset) {
    const picked = inputsIn(fieldset, "input[type=radio]").find((radio) => radio.checked);
    return picked ? picked.value === "true" : null;
  },

  write(fieldset, response) {
    for (const radio of inputsIn(fieldset, "input[type=radio]")) {
      radio.checked = typeof response === "boolean" && radio.value === String(response);
    }
  },
});
