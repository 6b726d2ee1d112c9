// @ts-check
// The grading interface: a grader takes a quiz's bundle and the student's responses and
// returns, per question, the outcome and the feedback to show (docs/contracts.md, "Runtime").
// LocalGrader grades from the bundle in the page; RemoteGrader (remote.js, in class-mode
// builds only) asks a class server.

/** @typedef {{id: string, text?: string, check?: string}} Choice */
/**
 * One question of the student bundle (quizbook/bundle.py; a class server's key-free bundle
 * has no `check`, `accept`, `salt` or `sealed`).
 * @typedef {object} Question
 * @property {string} id
 * @property {string} type
 * @property {number} points
 * @property {string} [rev] the question's revision: changes when its key or points change
 * @property {string} [salt]
 * @property {Choice[]} [options]
 * @property {Choice[]} [items]
 * @property {Choice[]} [lefts]
 * @property {Choice[]} [rights]
 * @property {string[]} [accept]
 * @property {boolean} [case_sensitive]
 * @property {boolean} [normalize]
 * @property {string|null} [unit]
 * @property {string[]} [units] numeric: more words accepted after the number
 * @property {boolean} [era] numeric: AD or CE accepted before or after the number
 * @property {Record<string, string>} [sealed]
 */
/**
 * @typedef {object} Bundle
 * @property {string} id
 * @property {string} lesson
 * @property {string} title
 * @property {string} version depends only on what grading depends on (quizbook.versions)
 * @property {{version: string, rights: Record<string, Record<string, string>>}} [legacy]
 *   the version the scheme before issue 12 gave this content, and the renumbering of its
 *   matching answers (quizbook.versions.legacy_table)
 * @property {number} [pass_mark] share of the points that counts as a pass
 * @property {number} [max_points]
 * @property {string} [grader] "remote" in a class server's key-free bundle
 * @property {string} [api] the class server's API folder, relative to the page
 * @property {Question[]} questions
 */
/**
 * What a student answered to one question (docs/contracts.md, "Responses by type").
 * @typedef {string | boolean | null | string[] | Record<string, string | number>} StudentResponse
 */
/**
 * What a response is worth. `correct` is full marks; `parts` says, per option, item or pair
 * id (or "answer"), whether that part is right.
 * @typedef {object} Outcome
 * @property {number} points
 * @property {number} max
 * @property {boolean} correct
 * @property {boolean} answered
 * @property {Record<string, boolean>} parts
 */
/**
 * An outcome with the keys of the feedback to show (option ids, "correct", "incorrect",
 * "true", "false"): exactly `quizbook.grade.Outcome.as_json()`.
 * @typedef {Outcome & {feedback: string[]}} KeyedOutcome
 */
/**
 * What a grader returns per question. Feedback and explanation are safe HTML made by
 * quizbook.markup at build time (or by the class server from the same code).
 * @typedef {object} Graded
 * @property {Outcome} outcome
 * @property {Record<string, string>} feedback
 * @property {string|null} explanation
 */
/**
 * @typedef {object} Grader
 * @property {(bundle: Bundle, responses: Record<string, StudentResponse>, attemptId: string)
 *   => Promise<Record<string, Graded>>} check
 *   grade one attempt (attemptId: a client-made UUID, so a server counts a resent attempt once)
 * @property {(bundle: Bundle, responses: Record<string, StudentResponse>)
 *   => Promise<Record<string, Graded>>} [regrade]
 *   grade saved answers again without counting an attempt (a class server may not offer it)
 */
/**
 * The behaviour of one question type: one file per type in runtime/types/ registers it.
 * `read` and `write` work on the type's markup (quizbook.sphinx.render); `grade` works on
 * the bundle and must equal quizbook.grade.grade (the parity test).
 * @typedef {object} QuestionType
 * @property {(question: Question, response: unknown) => KeyedOutcome} grade
 * @property {(fieldset: HTMLElement) => StudentResponse} read
 * @property {(fieldset: HTMLElement, response: unknown) => void} write
 * @property {boolean} [feedbackBesideParts] feedback keys are part ids, shown beside each part
 * @property {Record<string, string>} [fixedFeedback] HTML of feedback keys that are the same
 *   for every question of the type (quizbook.grade.fixed_feedback), not sealed in the bundle
 */

/** Every question type, by its `type` name. */
const QUESTION_TYPES = /** @type {Record<string, QuestionType>} */ ({});

/** @param {string} name the quiz files' `type` @param {QuestionType} type */
function registerQuestionType(name, type) {
  QUESTION_TYPES[name] = type;
}

/** A grader's or the class server's complaint, fit to show the student as it is. */
class GradingError extends Error {}

/** @param {unknown} value @returns {value is Record<string, any>} */
const isPlainObject = (value) =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** @param {number} max @returns {KeyedOutcome} */
const unansweredOutcome = (max) =>
  ({ points: 0, max, correct: false, answered: false, parts: {}, feedback: [] });

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
  const type = QUESTION_TYPES[question.type];
  if (!type) throw new GradingError("This page does not know question type " + question.type + ".");
  return type.grade(question, response);
}

/** @param {Question} question @param {string} name @returns {string} a sealed text, opened ("" if none) */
function sealedText(question, name) {
  const sealed = question.sealed && question.sealed[name];
  return sealed ? unseal(question.salt || "", question.id, name, sealed) : "";
}

/** Grades in the page, from the bundle: for self-study, offline. */
class LocalGrader {
  /**
   * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses @param {string} _attemptId
   * @returns {Promise<Record<string, Graded>>}
   */
  async check(bundle, responses, _attemptId) {
    return this.gradeAll(bundle, responses);
  }

  /** @param {Bundle} bundle @param {Record<string, StudentResponse>} responses */
  async regrade(bundle, responses) {
    return this.gradeAll(bundle, responses);
  }

  /**
   * The questions that have a response, graded; feedback and explanation unsealed.
   * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses
   * @returns {Record<string, Graded>}
   */
  gradeAll(bundle, responses) {
    /** @type {Record<string, Graded>} */
    const graded = {};
    for (const question of bundle.questions) {
      if (!Object.prototype.hasOwnProperty.call(responses, question.id)) continue;
      const { feedback: keys, ...outcome } = gradeQuestion(question, responses[question.id]);
      /** @type {Record<string, string>} */
      const feedback = {};
      const fixed = (QUESTION_TYPES[question.type] || {}).fixedFeedback || {};
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
}

/**
 * Points as every part of quizbook shows them: rounded to two decimals, halves up, no
 * trailing zeros (quizbook.points.format_points is the same rule in Python).
 * @param {number} points
 */
const formatPoints = (points) => String(Math.round(points * 100) / 100);

/** @returns {string} a random (version 4) UUID; crypto.randomUUID is missing on plain-http pages */
function newAttemptId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => (byte + 256).toString(16).slice(1)).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
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

/** @param {HTMLElement} fieldset @param {string} selector @returns {HTMLInputElement[]} */
const inputsIn = (fieldset, selector) =>
  /** @type {HTMLInputElement[]} */ (Array.from(fieldset.querySelectorAll(selector)));

/** @param {HTMLElement} fieldset @returns {HTMLSelectElement[]} */
const selectsIn = (fieldset) => Array.from(fieldset.querySelectorAll("select"));
