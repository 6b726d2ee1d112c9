// @ts-check
// short_text: one text box; right when the normalised answer's digest is an accepted one,
// or when it matches the (sealed) pattern.
// This file marks it from the bundle; types/short_text.js reads and writes its controls.

registerMarker("short_text", {
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
});
