// @ts-check
// The results file a student hands in (docs/contracts.md, "Results file"), and its download.

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
 * @property {{id: string, points: number, max: number, correct: boolean, attempts: number,
 *   response: StudentResponse}[]} questions
 */
/**
 * @typedef {object} ResultsFile
 * @property {"quizbook-results/1"} format
 * @property {string} student
 * @property {string} exported_at
 * @property {"book"|"notebook"} source
 * @property {QuizResults[]} quizzes
 */

/**
 * One quiz's entry of a results file, from its progress record.
 * @param {string} quizId @param {string} lesson @param {ProgressRecord} record @param {number} maxPoints
 * @returns {QuizResults}
 */
function quizResults(quizId, lesson, record, maxPoints) {
  return {
    quiz: quizId, lesson, version: record.version, score: Math.min(recordPoints(record), maxPoints),
    max: maxPoints, attempts: record.attempts, first_attempt: record.first, last_attempt: record.last,
    questions: Object.keys(record.outcomes).map((id) => {
      const outcome = record.outcomes[id];
      const response = record.responses[id];
      return { id, points: outcome.points, max: outcome.max, correct: outcome.correct,
        attempts: outcome.attempts, response: response === undefined ? null : response };
    }),
  };
}

/**
 * @param {string} student @param {"book"|"notebook"} source @param {QuizResults[]} quizzes
 * @returns {ResultsFile}
 */
const resultsFile = (student, source, quizzes) => ({
  format: "quizbook-results/1", student, exported_at: new Date().toISOString(), source, quizzes,
});

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
