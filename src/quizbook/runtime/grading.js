// @ts-check
// The grading interface: a grader takes a quiz's bundle and the student's responses and
// returns, per question, the outcome and the feedback to show (docs/contracts.md, "Runtime").
// LocalGrader grades from the bundle in the page (with marking.js); RemoteGrader (remote.js,
// in class-mode builds only) asks a class server. And the question types' registry.

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
 * How one question type's controls are read and written: one file per type in
 * runtime/types/ registers it; `read` and `write` work on the type's markup
 * (quizbook.sphinx.render). How it is marked is in runtime/markers/ (marking.js).
 * @typedef {object} QuestionType
 * @property {(fieldset: HTMLElement) => StudentResponse} read
 * @property {(fieldset: HTMLElement, response: unknown) => void} write
 * @property {boolean} [feedbackBesideParts] feedback keys are part ids, shown beside each part
 */

/** Every question type, by its `type` name. */
const QUESTION_TYPES = /** @type {Record<string, QuestionType>} */ ({});

/** @param {string} name the quiz files' `type` @param {QuestionType} type */
function registerQuestionType(name, type) {
  QUESTION_TYPES[name] = type;
}

/**
 * Grades in the page, from the bundle: for self-study, offline. The marking code
 * (marking.js) is in the notebook's module and the progress page's script; a book page with
 * quizzes loads it when a quiz is first used (parts.js `loadMarking`).
 */
class LocalGrader {
  /** @param {() => Promise<Marking>} [marking] where the marking code comes from */
  constructor(marking = () => Promise.resolve(MARKING)) {
    this.marking = marking;
  }

  /**
   * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses @param {string} _attemptId
   * @returns {Promise<Record<string, Graded>>}
   */
  async check(bundle, responses, _attemptId) {
    return (await this.marking()).gradeAll(bundle, responses);
  }

  /** @param {Bundle} bundle @param {Record<string, StudentResponse>} responses */
  async regrade(bundle, responses) {
    return (await this.marking()).gradeAll(bundle, responses);
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

/** @param {HTMLElement} fieldset @param {string} selector @returns {HTMLInputElement[]} */
const inputsIn = (fieldset, selector) =>
  /** @type {HTMLInputElement[]} */ (Array.from(fieldset.querySelectorAll(selector)));

/** @param {HTMLElement} fieldset @returns {HTMLSelectElement[]} */
const selectsIn = (fieldset) => Array.from(fieldset.querySelectorAll("select"));
