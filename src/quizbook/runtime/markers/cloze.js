// @ts-check
// cloze: a passage with blanks, each a text box (typed) or a select (drop-down), one labelled
// row per blank; the response maps blank ids to the typed text or the chosen choice id.
// Score: points × right blanks / blanks (quizbook.types.cloze is the reference).
// This file marks it from the bundle; types/cloze.js reads and writes its controls.

/**
 * A blank of the bundle: `accept` (digests of normalised answers) when typed, `choices`
 * and `check` when a drop-down (a class server's key-free bundle has neither digest).
 * @typedef {{id: string, label: string, accept?: string[], choices?: Choice[], check?: string}} ClozeBlank
 */

/** @param {Question} question @returns {ClozeBlank[]} */
const clozeBlanks = (question) => /** @type {{blanks?: ClozeBlank[]}} */ (/** @type {unknown} */ (question)).blanks || [];

registerMarker("cloze", {
  grade(question, response) {
    const blanks = clozeBlanks(question);
    if (!isPlainObject(response)) return unansweredOutcome(question.points);
    /** @type {Map<string, string>} */
    const given = new Map();
    for (const blank of blanks) {
      const value = Object.prototype.hasOwnProperty.call(response, blank.id) ? response[blank.id] : undefined;
      if (typeof value === "string" && !isBlank(value)) given.set(blank.id, value);
    }
    if (!given.size) return unansweredOutcome(question.points);
    const salt = question.salt || "";
    /** @type {Record<string, boolean>} */
    const parts = {};
    let rightCount = 0;
    for (const blank of blanks) {
      const value = given.get(blank.id);
      let right = false;
      if (value !== undefined && blank.accept) {
        right = blank.accept.includes(digest(salt, question.id, "ans:" + blank.id + ":" + normaliseAnswer(value, false, true)));
      } else if (value !== undefined) {
        right = blank.check === digest(salt, question.id, "blank:" + blank.id + ":" + value);
      }
      parts[blank.id] = right;
      if (right) rightCount++;
    }
    const allRight = rightCount === blanks.length;
    const wrong = blanks.filter((blank) => given.has(blank.id) && !parts[blank.id]).map((blank) => blank.id);
    return { points: question.points * (rightCount / blanks.length), max: question.points,
      correct: allRight, answered: true, parts, feedback: allRight ? ["correct"] : ["incorrect", ...wrong] };
  },
});
