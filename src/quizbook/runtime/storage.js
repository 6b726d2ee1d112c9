// @ts-check
// Saved progress: one record per quiz, kept by whatever store the host provides (the
// browser's localStorage in the book, a file beside the notebook in JupyterLab).
// The record format, the rules for setting a record aside and for carrying a record over
// to a changed quiz are in docs/contracts.md ("Browser storage", "Quiz versions").

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
 * The student whose work is kept: a name (required before any download) and an optional
 * student id.
 * @typedef {{name: string, id: string}} Student
 */
/**
 * Where a host keeps progress records and the student. `save` and `saveStudent` say false
 * when nothing was saved; `setAside` keeps a record that cannot be used (never lost or
 * overwritten) and says false when it could not be moved (then nothing may be saved over
 * it). `switchStudent` (hosts shared by several students) puts the current student's work
 * away and starts an empty one; `claimStudent` names the student of the current work and
 * brings back that student's work put away earlier (true when it did: the page must show it).
 * @typedef {object} QuizStore
 * @property {(quizId: string) => string|null} load
 * @property {(quizId: string, text: string) => boolean} save
 * @property {(quizId: string, text: string) => boolean} setAside
 * @property {() => Student} student
 * @property {(student: Student) => boolean} saveStudent
 * @property {() => boolean} [switchStudent]
 * @property {(student: Student) => boolean} [claimStudent]
 */
/**
 * A record read from a store: `record` (null when there is none or it was set aside),
 * `setAside` (it was), `stuck` (it could not be used nor moved: nothing may be saved),
 * `changed` (ids of questions whose key changed since it was saved: graded again),
 * `unsure` (saved for another version without revisions: any question may have changed).
 * @typedef {{record: ProgressRecord|null, setAside: boolean, stuck: boolean,
 *   changed: string[], unsure: boolean}} LoadedRecord
 */

const STORAGE_PREFIX = "quizbook:v1:";
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

/** localStorage that never throws (it is missing, blocked or full in some browsers and modes). */
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
  /** @returns {string[]} every key */
  keys() {
    try { return Object.keys(localStorage); } catch (_) { return []; }
  },
};

/**
 * Who a name means: case, width, spaces and invisible characters do not count (as
 * quizbook.export.gradebook.student_key compares them).
 * @param {string} name
 */
const studentKey = (name) => name.normalize("NFKC").toLowerCase().replace(/[\s\p{Cf}]/gu, "");

const STUDENT_KEY = STORAGE_PREFIX + "student";
const STUDENT_ID_KEY = STORAGE_PREFIX + "student-id";
const SHELF_PREFIX = STORAGE_PREFIX + "shelf:";

/** @param {string} key the student's work: quiz records and notes, not what was set aside */
const isWorkKey = (key) =>
  (key.startsWith(STORAGE_PREFIX + "quiz:") && !key.includes(":stale")) || key.startsWith(STORAGE_PREFIX + "notes:");

/**
 * The book's store: `quizbook:v1:quiz:<quiz id>` records, `quizbook:v1:student` the name and
 * `quizbook:v1:student-id` the id. A record set aside moves to `<key>:stale` (or
 * `<key>:stale:<ms time>` when that is taken). Switching student puts the work (records and
 * notes) into `quizbook:v1:shelf:<student key>` and brings it back when that name is typed.
 * @returns {QuizStore}
 */
function browserQuizStore() {
  const keyOf = (/** @type {string} */ quizId) => STORAGE_PREFIX + "quiz:" + quizId;
  /** @param {Student} student */
  const saveStudent = (student) =>
    browserStorage.set(STUDENT_ID_KEY, student.id) && browserStorage.set(STUDENT_KEY, student.name);
  return {
    load: (quizId) => browserStorage.get(keyOf(quizId)),
    save: (quizId, text) => browserStorage.set(keyOf(quizId), text),
    setAside(quizId, text) {
      const key = keyOf(quizId);
      const aside = browserStorage.get(key + ":stale") === null ? key + ":stale" : key + ":stale:" + Date.now();
      if (!browserStorage.set(aside, text)) return false;
      browserStorage.remove(key);
      return true;
    },
    student: () => ({ name: browserStorage.get(STUDENT_KEY) || "", id: browserStorage.get(STUDENT_ID_KEY) || "" }),
    saveStudent,
    switchStudent() {
      const name = browserStorage.get(STUDENT_KEY) || "";
      const work = browserStorage.keys().filter(isWorkKey);
      if (name.trim()) {
        /** @type {Record<string, string>} */
        const saved = {};
        for (const key of work) saved[key] = browserStorage.get(key) || "";
        const shelf = { name, id: browserStorage.get(STUDENT_ID_KEY) || "", saved };
        if (!browserStorage.set(SHELF_PREFIX + studentKey(name), JSON.stringify(shelf))) return false;
      } else if (work.length) {
        return false;  // work without a name cannot be put away: it would be lost
      }
      for (const key of work) browserStorage.remove(key);
      browserStorage.remove(STUDENT_ID_KEY);
      browserStorage.remove(STUDENT_KEY);  // last: other tabs reload when they see it
      return true;
    },
    claimStudent(student) {
      const shelfKey = SHELF_PREFIX + studentKey(student.name);
      const shelf = browserStorage.get(shelfKey);
      const empty = !browserStorage.keys().some(isWorkKey);
      let back = false;
      let named = student;
      if (shelf !== null && empty) {
        try {
          const kept = JSON.parse(shelf);
          back = Object.entries(kept.saved).every(([key, value]) =>
            isWorkKey(key) && typeof value === "string" && browserStorage.set(key, value));
          if (back) {
            browserStorage.remove(shelfKey);
            // The name as first typed (and the id given then, unless a new one is typed).
            named = { name: String(kept.name), id: student.id || String(kept.id || "") };
          }
        } catch (_) { back = false; }
      }
      saveStudent(named);
      return back;
    },
  };
}
