// @ts-check
// cloze: a passage with blanks, each a text box (typed) or a select (drop-down), one labelled
// row per blank; the response maps blank ids to the typed text or the chosen choice id.
// Score: points × right blanks / blanks (quizbook.types.cloze is the reference).
// This file reads and writes its controls; markers/cloze.js marks it (marking.js).

registerQuestionType("cloze", {
  feedbackBesideParts: true,

  read(fieldset) {
    /** @type {Record<string, string>} */
    const answers = {};
    for (const control of [...inputsIn(fieldset, "input[type=text][data-item-id]"), ...selectsIn(fieldset)]) {
      if (control.value && control.dataset.itemId) answers[control.dataset.itemId] = control.value;
    }
    return answers;
  },

  write(fieldset, response) {
    for (const control of [...inputsIn(fieldset, "input[type=text][data-item-id]"), ...selectsIn(fieldset)]) {
      const blank = control.dataset.itemId || "";
      const given = isPlainObject(response) && Object.prototype.hasOwnProperty.call(response, blank)
        ? response[blank] : undefined;
      control.value = typeof given === "string" ? given : "";
    }
  },
});
