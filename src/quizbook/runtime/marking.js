// @ts-check
// Marking: a question's outcome from the bundle (its digests and sealed texts, sha256.js; typed
// answers, answers.js) by its type's marker (runtime/markers/<type>.js), and the feedback to
// show, unsealed. The notebook's module and the progress page carry it; a book page with
// quizzes loads it as a part of its own when a quiz is first used (parts.js), and LocalGrader
// (grading.js) waits for it.

/**
 * How one question type is marked from the bundle: one file per type in runtime/markers/
 * registers it; `grade` must equal quizbook.grade.grade (the parity test).
 * @typedef {object} Marker
 * @property {(question: Question, response: unknown) => KeyedOutcome} grade
 * @property {Record<string, string>} [fixedFeedback] HTML of feedback keys that are the same
 *   for every question of the type (quizbook.grade.fixed_feedback), not sealed in the bundle
 */
/** What the marking part hands to the page. @typedef {{gradeAll: typeof gradeAll}} Marking */

/** Every question type's marker, by its `type` name. */
const QUESTION_MARKERS = /** @type {Record<string, Marker>} */ ({});

/** @param {string} name the quiz files' `type` @param {Marker} marker */
function registerMarker(name, marker) {
  QUESTION_MARKERS[name] = marker;
}

/** All or nothing, with "correct" or "incorrect" feedback. @param {number} max @param {boolean} right */
const rightOrWrongOutcome = (max, right) => ({
  points: right ? max : 0, max, correct: right, answered: true, parts: { answer: right },
  feedback: [right ? "correct" : "incorrect"],
});

/** Is this option of a choice question a right one? @param {Question} question @param {Choice} option */
const isRightOption = (question, option) =>
  option.check === digest(question.salt || "", question.id, "opt:" + option.id + ":1");

/**
 * Grade a question from its bundle; equal to quizbook.grade.grade on the full question.
 * @param {Question} question @param {unknown} response
 * @returns {KeyedOutcome}
 */
function gradeQuestion(question, response) {
  const marker = QUESTION_MARKERS[question.type];
  if (!marker) throw new GradingError("This page does not know question type " + question.type + ".");
  return marker.grade(question, response);
}

/** @param {Question} question @param {string} name @returns {string} a sealed text, opened ("" if none) */
function sealedText(question, name) {
  const sealed = question.sealed && question.sealed[name];
  return sealed ? unseal(question.salt || "", question.id, name, sealed) : "";
}

/**
 * The questions that have a response, graded; feedback and explanation unsealed.
 * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses
 * @returns {Record<string, Graded>}
 */
function gradeAll(bundle, responses) {
  /** @type {Record<string, Graded>} */
  const graded = {};
  for (const question of bundle.questions) {
    if (!Object.prototype.hasOwnProperty.call(responses, question.id)) continue;
    const { feedback: keys, ...outcome } = gradeQuestion(question, responses[question.id]);
    /** @type {Record<string, string>} */
    const feedback = {};
    const fixed = (QUESTION_MARKERS[question.type] || {}).fixedFeedback || {};
    for (const key of keys) {
      const text = sealedText(question, "fb:" + key) ||
        (Object.prototype.hasOwnProperty.call(fixed, key) ? fixed[key] : "");
      if (text) feedback[key] = text;
    }
    const explanation = outcome.correct ? sealedText(question, "explanation") || null : null;
    graded[question.id] = { outcome, feedback, explanation };
  }
  return graded;
}

/**
 * Share-of-parts scoring (ordering, matching): a part is right when the response gives it
 * the value its check digest names (`{checkPrefix}{part id}:{value}`).
 * @param {Question} question @param {Choice[]} parts the items or left-hand sides
 * @param {unknown} response @param {(value: unknown) => boolean} isGiven a usable value
 * @param {string} checkPrefix "pos:" or "pair:"
 * @param {boolean} valuesAreExclusive a value given to two parts counts for neither
 * @returns {KeyedOutcome}
 */
function gradeShares(question, parts, response, isGiven, checkPrefix, valuesAreExclusive) {
  if (!isPlainObject(response)) return unansweredOutcome(question.points);
  /** @type {Map<string, unknown>} */
  const given = new Map();
  for (const part of parts) {
    const value = Object.prototype.hasOwnProperty.call(response, part.id) ? response[part.id] : undefined;
    if (isGiven(value)) given.set(part.id, value);
  }
  if (!given.size) return unansweredOutcome(question.points);
  /** @type {Map<unknown, number>} */
  const claims = new Map();
  given.forEach((value) => { claims.set(value, (claims.get(value) || 0) + 1); });
  /** @type {Record<string, boolean>} */
  const rightParts = {};
  let rightCount = 0;
  for (const part of parts) {
    const value = given.get(part.id);
    rightParts[part.id] = value !== undefined &&
      part.check === digest(question.salt || "", question.id, checkPrefix + part.id + ":" + value) &&
      (!valuesAreExclusive || claims.get(value) === 1);
    if (rightParts[part.id]) rightCount++;
  }
  const allRight = rightCount === parts.length;
  return { points: question.points * (rightCount / parts.length), max: question.points,
    correct: allRight, answered: true, parts: rightParts, feedback: [allRight ? "correct" : "incorrect"] };
}

/** @type {Marking} */
const MARKING = { gradeAll };
