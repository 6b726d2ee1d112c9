// @ts-check
// numeric: one text box; right when the number typed is inside the (sealed) range. Text that
// is not a number (answers.js parseNumber) is not graded: the student is asked for just the
// number (quizbook.grade.NOT_A_NUMBER).
// This file marks it from the bundle; types/numeric.js reads and writes its controls.

/** quizbook.grade.NOT_A_NUMBER_FEEDBACK as HTML (tests/test_js_grader_parity.py compares them). */
const NOT_A_NUMBER_FEEDBACK = "Not marked: this is not read as a number. Type just the number, " +
  "in digits, as the note under the box says.";

registerMarker("numeric", {
  grade(question, response) {
    if (isBlank(response)) return unansweredOutcome(question.points);
    const units = Array.isArray(question.units) ? question.units.filter((u) => typeof u === "string") : [];
    const value = parseNumber(/** @type {string} */ (response), question.unit, units, question.era === true);
    if (value === null) {
      return { points: 0, max: question.points, correct: false, answered: false, parts: {}, feedback: ["not_a_number"] };
    }
    const [low, high] = JSON.parse(sealedText(question, "range"));
    return rightOrWrongOutcome(question.points, low <= value && value <= high);
  },

  fixedFeedback: { not_a_number: NOT_A_NUMBER_FEEDBACK },
});
