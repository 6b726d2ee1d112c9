// @ts-check
// numeric: one text box; right when the number typed is inside the (sealed) range.

registerQuestionType("numeric", {
  grade(question, response) {
    if (isBlank(response)) return unansweredOutcome(question.points);
    const value = parseNumber(/** @type {string} */ (response), question.unit);
    const [low, high] = JSON.parse(sealedText(question, "range"));
    return rightOrWrongOutcome(question.points, value !== null && low <= value && value <= high);
  },

  read(fieldset) {
    const [box] = inputsIn(fieldset, "input[type=text]");
    return box ? box.value : "";
  },

  write(fieldset, response) {
    for (const box of inputsIn(fieldset, "input[type=text]")) box.value = typeof response === "string" ? response : "";
  },
});
