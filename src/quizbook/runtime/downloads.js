// @ts-check
// The downloads part: results files, who they are for, switching student, save warnings.
// Not needed for a quiz to be usable, so a book page with quizzes loads it only when a
// student first needs it (parts.js); the notebook module and the progress page carry it.

/**
 * What the downloads part needs of a quiz (quiz.js hands it over).
 * @typedef {object} QuizForDownload
 * @property {HTMLElement} root
 * @property {QuizHost} host
 * @property {Bundle} bundle
 * @property {ProgressRecord|null} record
 * @property {number} maxPoints
 * @property {(text: string) => void} say
 */
/**
 * @typedef {object} Downloads
 * @property {typeof downloadQuiz} downloadQuiz
 * @property {typeof panelOf} panelOf
 * @property {typeof showSaveWarning} showSaveWarning
 * @property {typeof browserDownload} browserDownload
 */

/** The name form of each quiz, once behaving. */
const panels = /** @type {WeakMap<HTMLElement, StudentPanel>} */ (new WeakMap());

/** @param {QuizForDownload} quiz @returns {StudentPanel} */
function panelOf(quiz) {
  let panel = panels.get(quiz.root);
  if (!panel) {
    panel = connectStudent(quiz.root, quiz.host.store, quiz.say, quiz.host.reload || null);
    panels.set(quiz.root, panel);
  }
  return panel;
}

/**
 * "Download my results": the name first, then the results file of the quiz's checked answers
 * graded again, under a name that says whose, which quiz and when.
 * @param {QuizForDownload} quiz
 */
async function downloadQuiz(quiz) {
  const { root, host, bundle, record, say } = quiz;
  if (!record) {
    say("Check your answers first: there are no results to download yet.");
    return;
  }
  const student = panelOf(quiz).require();
  if (!student) return;
  /** @type {Record<string, Graded>} */
  let graded = {};
  if (host.grader.regrade) graded = await host.grader.regrade(bundle, checkedResponses(record));
  else {
    // A class server's grader: the record holds the points the server gave this session.
    for (const [id, outcome] of Object.entries(record.outcomes)) {
      graded[id] = { outcome: { ...outcome, answered: true, parts: {} }, feedback: {}, explanation: null };
    }
  }
  const fileName = resultsFileName(student.name, bundle.id);
  host.download(root, fileName, resultsFile(student, host.source, [quizResults(bundle, record, graded, quiz.maxPoints)]));
  say("Downloaded " + fileName + ". Hand it in as the line below the button says.");
}

/** @type {Downloads} */
const DOWNLOADS = { downloadQuiz, panelOf, showSaveWarning, browserDownload };
