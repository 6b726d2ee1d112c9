// @ts-check
// The results file a student hands in (docs/contracts.md, "Results file"), its name, and its
// download. Its points are those of the saved answers graded again, never saved points.
// Part of the downloads part (downloads.js): a book page loads it when it is needed.

/**
 * @typedef {object} QuizResults
 * @property {string} quiz
 * @property {string} lesson
 * @property {string} version
 * @property {number} score
 * @property {number} max
 * @property {number} attempts
 * @property {string} first_attempt
 * @property {string} last_attempt
 * @property {{id: string, rev: string, points: number, max: number, correct: boolean,
 *   attempts: number, response: StudentResponse}[]} questions
 */
/**
 * @typedef {object} ResultsFile
 * @property {"quizbook-results/1"} format
 * @property {string} student
 * @property {string} student_id
 * @property {string} exported_at
 * @property {"book"|"notebook"} source
 * @property {QuizResults[]} quizzes
 */

/**
 * One quiz's entry of a results file: the record's checked answers with the points they are
 * worth now (`graded`: the record's answers graded again).
 * @param {Bundle} bundle @param {ProgressRecord} record @param {Record<string, Graded>} graded
 * @param {number} maxPoints
 * @returns {QuizResults}
 */
function quizResults(bundle, record, graded, maxPoints) {
  const questions = bundle.questions.filter((question) => question.id in record.outcomes).map((question) => {
    const outcome = graded[question.id] ? graded[question.id].outcome
      : { points: 0, max: question.points, correct: false };
    const response = record.responses[question.id];
    return { id: question.id, rev: question.rev || "", points: outcome.points, max: outcome.max,
      correct: outcome.correct, attempts: record.outcomes[question.id].attempts,
      response: response === undefined ? null : response };
  });
  return {
    quiz: bundle.id, lesson: bundle.lesson, version: record.version,
    score: questions.reduce((sum, question) => sum + question.points, 0), max: maxPoints,
    attempts: record.attempts, first_attempt: record.first, last_attempt: record.last, questions,
  };
}

/**
 * @param {Student} student @param {"book"|"notebook"} source @param {QuizResults[]} quizzes
 * @returns {ResultsFile}
 */
const resultsFile = (student, source, quizzes) => ({
  format: "quizbook-results/1", student: student.name, student_id: student.id,
  exported_at: new Date().toISOString(), source, quizzes,
});

/**
 * The name of a results file: whose, of which quiz (or "all"), and when, so that a class's
 * files never share a name: `results-ada-lovelace-l1-laboratory-2026-03-01.json`.
 * @param {string} name the student's name @param {string} what a quiz id or "all"
 * @param {Date} [when]
 */
function resultsFileName(name, what, when = new Date()) {
  const slug = name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "") || "student";
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  const day = when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate());
  return "results-" + slug + "-" + what + "-" + day + ".json";
}

/**
 * Save a JSON file through the browser's download, from a link placed in `host` (so that
 * nothing outside the element the runtime was given is touched).
 * @param {HTMLElement} host @param {string} fileName @param {unknown} data
 */
function browserDownload(host, fileName, data) {
  const link = host.ownerDocument.createElement("a");
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" }));
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  host.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
