// @ts-check
// Shared computers (a lab, a library): "Not you? Switch student" puts the current student's
// work (quiz records and notes) on a shelf, `quizbook:v1:shelf:<student key>`, and starts
// empty; typing a name whose shelf is there, on an empty start, brings that work back. One
// student's work is never shown, saved or downloaded under another's name.

const SHELF_PREFIX = STORAGE_PREFIX + "shelf:";

/**
 * Who a name means: case, width, spaces and invisible characters do not count (as
 * quizbook.export.gradebook.student_key compares them).
 * @param {string} name
 */
const studentKey = (name) => name.normalize("NFKC").toLowerCase().replace(/[\s\p{Cf}]/gu, "");

/** @param {string} key the student's work: quiz records and notes, not what was set aside */
const isWorkKey = (key) =>
  (key.startsWith(STORAGE_PREFIX + "quiz:") && !key.includes(":stale")) || key.startsWith(STORAGE_PREFIX + "notes:");

/** Put the current student's work away and forget the student; false if it could not be kept. */
function switchBrowserStudent() {
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
}

/**
 * Name the student of the current work; if nothing is saved yet and this student's work is
 * on a shelf, bring it back (true: the page must be shown again).
 * @param {Student} student
 */
function claimBrowserStudent(student) {
  const shelfKey = SHELF_PREFIX + studentKey(student.name);
  const shelf = browserStorage.get(shelfKey);
  let back = false;
  let named = student;
  if (shelf !== null && !browserStorage.keys().some(isWorkKey)) {
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
  browserStorage.set(STUDENT_ID_KEY, named.id);
  browserStorage.set(STUDENT_KEY, named.name);
  return back;
}
