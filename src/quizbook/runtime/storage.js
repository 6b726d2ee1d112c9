// @ts-check
// Saved progress: one record per quiz, kept by whatever store the host provides (the
// browser's localStorage in the book, a file beside the notebook in JupyterLab).
// The record format and the rules for setting a record aside are in docs/contracts.md.

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
 * @property {string} version the bundle version the answers were given to
 * @property {number} attempts
 * @property {string} first ISO time of the first check
 * @property {string} last ISO time of the last check
 * @property {Record<string, StudentResponse>} responses
 * @property {Record<string, SavedOutcome>} outcomes
 */
/**
 * Where a host keeps progress records and the student's name. `save` and `saveStudentName`
 * say false when nothing was saved; `setAside` keeps a record that cannot be used (it is
 * never lost or overwritten).
 * @typedef {object} QuizStore
 * @property {(quizId: string) => string|null} load
 * @property {(quizId: string, text: string) => boolean} save
 * @property {(quizId: string, text: string) => void} setAside
 * @property {() => string} studentName
 * @property {(name: string) => boolean} saveStudentName
 */

const STORAGE_PREFIX = "quizbook:v1:";
/** A saved quiz record is a few kilobytes; a far larger one was not written by this runtime. */
const MAX_RECORD_CHARS = 200000;

/** @param {unknown} value */
const isCount = (value) => Number.isInteger(value) && /** @type {number} */ (value) >= 0;

/**
 * A record this runtime wrote for this quiz version: the right shape, no outcome above its
 * maximum and no outcomes worth more than the quiz (an edited or forged record is not).
 * @param {unknown} record @param {string} version @param {number} maxPoints
 * @returns {record is ProgressRecord}
 */
function isUsableRecord(record, version, maxPoints) {
  if (!(isPlainObject(record) && record.v === 1 && record.version === version &&
      isPlainObject(record.responses) && isPlainObject(record.outcomes) && isCount(record.attempts) &&
      typeof record.first === "string" && typeof record.last === "string" &&
      !isNaN(Date.parse(record.last)))) return false;
  let sumOfMaxima = 0;
  for (const outcome of Object.values(record.outcomes)) {
    if (!isPlainObject(outcome) || typeof outcome.points !== "number" || typeof outcome.max !== "number" ||
        !(outcome.points >= 0 && outcome.points <= outcome.max) || typeof outcome.correct !== "boolean" ||
        !isCount(outcome.attempts)) return false;
    sumOfMaxima += outcome.max;
  }
  return sumOfMaxima <= maxPoints + 1e-9;
}

/**
 * The saved record of a quiz, or null. A record that does not parse, is for another version
 * or lies is handed to `store.setAside` and the quiz starts fresh (`setAside: true`).
 * @param {QuizStore} store @param {string} quizId @param {string} version @param {number} maxPoints
 * @returns {{record: ProgressRecord|null, setAside: boolean}}
 */
function loadRecord(store, quizId, version, maxPoints) {
  const raw = store.load(quizId);
  if (raw === null) return { record: null, setAside: false };
  try {
    const record = raw.length > MAX_RECORD_CHARS ? null : JSON.parse(raw);
    if (isUsableRecord(record, version, maxPoints)) return { record, setAside: false };
  } catch (_) { /* set aside below */ }
  store.setAside(quizId, raw);
  return { record: null, setAside: true };
}

/** @param {ProgressRecord} record @returns {number} the points of the record's outcomes */
const recordPoints = (record) =>
  Object.values(record.outcomes).reduce((sum, outcome) => sum + (Number(outcome.points) || 0), 0);

/** localStorage that never throws (it is missing or blocked in some browsers and modes). */
const browserStorage = {
  /** @param {string} key @returns {string|null} */
  get(key) {
    try { return localStorage.getItem(key); } catch (_) { return null; }
  },
  /** @param {string} key @param {string} value @returns {boolean} false when nothing was stored */
  set(key, value) {
    try { localStorage.setItem(key, value); return true; } catch (_) { return false; }
  },
  /** @param {string} key */
  remove(key) {
    try { localStorage.removeItem(key); } catch (_) { /* storage unavailable */ }
  },
};

/**
 * The book's store: `quizbook:v1:quiz:<quiz id>` records, `quizbook:v1:student` the name. A
 * record set aside moves to `<key>:stale` (or `<key>:stale:<ms time>` when that is taken).
 * @returns {QuizStore}
 */
function browserQuizStore() {
  const keyOf = (/** @type {string} */ quizId) => STORAGE_PREFIX + "quiz:" + quizId;
  return {
    load: (quizId) => browserStorage.get(keyOf(quizId)),
    save: (quizId, text) => browserStorage.set(keyOf(quizId), text),
    setAside(quizId, text) {
      const key = keyOf(quizId);
      const aside = browserStorage.get(key + ":stale") === null ? key + ":stale" : key + ":stale:" + Date.now();
      if (browserStorage.set(aside, text)) browserStorage.remove(key);
    },
    studentName: () => browserStorage.get(STORAGE_PREFIX + "student") || "",
    saveStudentName: (name) => browserStorage.set(STORAGE_PREFIX + "student", name),
  };
}
