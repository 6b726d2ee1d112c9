// @ts-check
// Saved progress records: what one looks like, which can be trusted, how one saved for another
// version of the quiz is carried over, and what its answers are worth now (docs/contracts.md,
// "Browser storage", "Quiz versions"). Whatever store a host provides keeps them.

/**
 * @typedef {object} SavedOutcome
 * @property {number} points
 * @property {number} max
 * @property {boolean} correct
 * @property {number} attempts checks in which this question had a new, non-empty answer
 */
/**
 * @typedef {object} ProgressRecord
 * @property {1} v
 * @property {string} version the quiz version the answers were given to
 * @property {Record<string, string>} [revs] per question, its revision when it was answered
 * @property {number} attempts
 * @property {string} first ISO time of the first check
 * @property {string} last ISO time of the last check
 * @property {Record<string, StudentResponse>} responses the answers last checked
 * @property {Record<string, SavedOutcome>} outcomes
 * @property {Record<string, string>} [times] per question, ISO time of its last change
 *   (a check, or Try again): when two tabs saved, the later one wins that question
 * @property {Record<string, StudentResponse>} [draft] per question cleared by Try again,
 *   what stays in its controls (its right parts) until the next check
 */
/**
 * A record read from a store: `record` (null when there is none or it was set aside),
 * `setAside` (it was), `stuck` (it could not be used nor moved: nothing may be saved),
 * `changed` (ids of questions whose key changed since it was saved: graded again),
 * `unsure` (saved for another version without revisions: any question may have changed).
 * @typedef {{record: ProgressRecord|null, setAside: boolean, stuck: boolean,
 *   changed: string[], unsure: boolean}} LoadedRecord
 */

/** A saved quiz record is a few kilobytes; a far larger one was not written by this runtime. */
const MAX_RECORD_CHARS = 200000;
/** Versions of the scheme before issue 12 had 12 hex digits (today's have 16). */
const LEGACY_VERSION_CHARS = 12;

/** @param {unknown} value */
const isCount = (value) => Number.isInteger(value) && /** @type {number} */ (value) >= 0;

/** No answer given: nothing chosen, typed, ordered or matched. @param {unknown} response */
const isEmptyResponse = (response) => response === null || response === undefined ||
  (typeof response === "string" && !response.trim()) || (Array.isArray(response) && !response.length) ||
  (isPlainObject(response) && !Object.keys(response).length);

/** @param {unknown} value @returns {value is Record<string, string>} */
const isTextMap = (value) => isPlainObject(value) && Object.values(value).every((v) => typeof v === "string");

/**
 * A record this runtime wrote: the right shape, no outcome above its maximum and, when it
 * is for this quiz version, no outcomes worth more than the quiz (an edited or forged record
 * is not). Its points are never shown: scores come from grading its answers again.
 * @param {unknown} record @param {string} version @param {number} maxPoints
 * @returns {record is ProgressRecord}
 */
function isUsableRecord(record, version, maxPoints) {
  if (!(isPlainObject(record) && record.v === 1 && typeof record.version === "string" &&
      isPlainObject(record.responses) && isPlainObject(record.outcomes) && isCount(record.attempts) &&
      typeof record.first === "string" && typeof record.last === "string" &&
      !isNaN(Date.parse(record.last)) && (record.revs === undefined || isTextMap(record.revs)) &&
      (record.times === undefined || isTextMap(record.times)) &&
      (record.draft === undefined || isPlainObject(record.draft)))) return false;
  let sumOfMaxima = 0;
  for (const outcome of Object.values(record.outcomes)) {
    if (!isPlainObject(outcome) || typeof outcome.points !== "number" || typeof outcome.max !== "number" ||
        !(outcome.points >= 0 && outcome.points <= outcome.max) || typeof outcome.correct !== "boolean" ||
        !isCount(outcome.attempts)) return false;
    sumOfMaxima += outcome.max;
  }
  // After a key change the points of the quiz may have shrunk: only compare like with like.
  return record.version !== version || sumOfMaxima <= maxPoints + 1e-9;
}

/**
 * A record saved for another version of the quiz, as answers to the quiz as it is now
 * (= quizbook.versions.carry_over): the old scheme's record of this very content is
 * renumbered and kept as it is; a record with revisions names the questions whose key
 * changed; one without is `unsure`. The record is stamped with today's version.
 * @param {ProgressRecord} record @param {Bundle} bundle
 * @returns {{changed: string[], unsure: boolean}}
 */
function carryOver(record, bundle) {
  /** @type {{changed: string[], unsure: boolean}} */
  const verdict = { changed: [], unsure: false };
  if (record.version !== bundle.version) {
    const legacy = bundle.legacy || { version: "", rights: {} };
    if (record.version.length === LEGACY_VERSION_CHARS) {
      for (const [questionId, moved] of Object.entries(legacy.rights)) {
        const given = record.responses[questionId];
        if (!isPlainObject(given)) continue;
        const answer = /** @type {Record<string, unknown>} */ (given);
        for (const left of Object.keys(answer)) {
          const right = answer[left];
          if (typeof right === "string" && Object.prototype.hasOwnProperty.call(moved, right)) {
            answer[left] = moved[right];
          }
        }
      }
      verdict.unsure = record.version !== legacy.version;
    } else if (record.revs) {
      const revs = record.revs;
      verdict.changed = bundle.questions
        .filter((question) => question.id in record.responses && revs[question.id] !== question.rev)
        .map((question) => question.id);
    } else {
      verdict.unsure = true;
    }
  }
  record.version = bundle.version;
  record.revs = {};
  for (const question of bundle.questions) record.revs[question.id] = question.rev || "";
  if (!record.times) {
    // Saved before answers had times: each given answer counts as given at the last check.
    record.times = {};
    for (const [id, response] of Object.entries(record.responses)) {
      if (!isEmptyResponse(response)) record.times[id] = record.last;
    }
  }
  record.draft = record.draft || {};
  return verdict;
}

/**
 * The saved record of a quiz, carried over to the quiz as it is now. A record that does not
 * parse or lies is handed to `store.setAside` and the quiz starts fresh (`setAside: true`).
 * @param {QuizStore} store @param {Bundle} bundle @param {number} maxPoints
 * @returns {LoadedRecord}
 */
function loadRecord(store, bundle, maxPoints) {
  const raw = store.load(bundle.id);
  /** @type {LoadedRecord} */
  const loaded = { record: null, setAside: false, stuck: false, changed: [], unsure: false };
  if (raw === null) return loaded;
  try {
    const record = raw.length > MAX_RECORD_CHARS ? null : JSON.parse(raw);
    if (isUsableRecord(record, bundle.version, maxPoints)) {
      return { ...loaded, record, ...carryOver(record, bundle) };
    }
  } catch (_) { /* set aside below */ }
  if (store.setAside(bundle.id, raw)) loaded.setAside = true;
  else loaded.stuck = true;
  return loaded;
}
