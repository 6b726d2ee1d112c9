// @ts-check
// Where the book keeps things: the browser's localStorage, which never throws here (it is
// missing, blocked or full in some browsers and modes). Progress records (records.js), the
// student's name and id, and discussion notes (docs/contracts.md, "Browser storage").

/**
 * The student whose work is kept: a name (required before any download) and an optional
 * student id.
 * @typedef {{name: string, id: string}} Student
 */
/**
 * Where a host keeps progress records and the student. `save` and `saveStudent` say false
 * when nothing was saved; `setAside` keeps a record that cannot be used (never lost or
 * overwritten) and says false when it could not be moved (then nothing may be saved over it).
 * @typedef {object} QuizStore
 * @property {(quizId: string) => string|null} load
 * @property {(quizId: string, text: string) => boolean} save
 * @property {(quizId: string, text: string) => boolean} setAside
 * @property {() => Student} student
 * @property {(student: Student) => boolean} saveStudent
 */
const STORAGE_PREFIX = "quizbook:v1:";
const STUDENT_KEY = STORAGE_PREFIX + "student";
const STUDENT_ID_KEY = STORAGE_PREFIX + "student-id";

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
 * The book's store: `quizbook:v1:quiz:<quiz id>` records, `quizbook:v1:student` the name and
 * `quizbook:v1:student-id` the id. A record set aside moves to `<key>:stale` (or
 * `<key>:stale:<ms time>` when that is taken). Switching student: shelves.js.
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
      if (!browserStorage.set(aside, text)) return false;
      browserStorage.remove(key);
      return true;
    },
    student: () => ({ name: browserStorage.get(STUDENT_KEY) || "", id: browserStorage.get(STUDENT_ID_KEY) || "" }),
    saveStudent: (student) =>
      browserStorage.set(STUDENT_ID_KEY, student.id) && browserStorage.set(STUDENT_KEY, student.name),
  };
}
