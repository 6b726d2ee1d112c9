// @ts-check
// single: one radio button per option; the response is the chosen option's id (or null).
// This file reads and writes its controls; markers/single.js marks it (marking.js).

registerQuestionType("single", {
  feedbackBesideParts: true,

  read(fieldset) {
    const picked = inputsIn(fieldset, "input[type=radio]").find((radio) => radio.checked);
    return picked ? picked.value : null;
  },

  write(fieldset, response) {
    for (const radio of inputsIn(fieldset, "input[type=radio]")) radio.checked = radio.value === response;
  },
});
