// @ts-check
// short_text: one text box; right when the normalised answer's digest is an accepted one,
// or when it matches the (sealed) pattern.

registerQuestionType("short_text", {
  grade(question, response) {
    if (isBlank(response)) return unansweredOutcome(question.points);
    const text = /** @type {string} */ (response);
    const caseSensitive = !!question.case_sensitive;
    const answer = normaliseAnswer(text, caseSensitive, question.normalize !== false);
    const accepted = (question.accept || []).includes(digest(question.salt || "", question.id, "ans:" + answer));
    const pattern = question.sealed && question.sealed.pattern;
    const right = accepted || (!!pattern && patternMatches(sealedText(question, "pattern"), text, caseSensitive));
    return rightOrWrongOutcome(question.points, right);
  },

  read(fieldset) {
    const [box] = inputsIn(fieldset, "input[type=text]");
    return box ? box.value : "";
  },

  write(fieldset, response) {
    for (const box of inputsIn(fieldset, "input[type=text]")) box.value = typeof response === "string" ? response : "";
  },
});
