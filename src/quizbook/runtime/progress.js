// @ts-check
// The "My progress" page (quizbook.sphinx.progress): every quiz's saved answers graded again
// from its bundle (the page carries the bundles: a forged record shows what its answers are
// worth, never its saved points), pass or not, and one download of all results. Only the
// progress page loads this file.

/**
 * @typedef {object} ProgressQuiz
 * @property {string} quiz
 * @property {string} lesson
 * @property {number} max
 * @property {Bundle} bundle
 */

/**
 * @param {HTMLElement} root @param {QuizStore} store
 * @param {() => void} reload show the page again (after a student switch)
 */
function mountProgress(root, store, reload) {
  const data = root.querySelector("script[data-quizbook-progress]");
  /** @type {ProgressQuiz[]} */
  const quizzes = JSON.parse((data && data.textContent) || "[]");
  const status = /** @type {HTMLElement} */ (root.querySelector(".qb-status"));
  const say = (/** @type {string} */ text) => { status.textContent = text; };
  /** @type {QuizResults[]} */
  const results = [];
  /** @type {string[]} */
  const notices = [];
  let setAsideCount = 0;
  for (const quiz of quizzes) {
    const row = Array.from(root.querySelectorAll("[data-progress-quiz]"))
      .find((element) => element.getAttribute("data-progress-quiz") === quiz.quiz);
    const loaded = loadRecord(store, quiz.bundle, quiz.max);
    if (loaded.setAside) setAsideCount++;
    const record = loaded.record;
    if (!row || !record) continue;
    const cells = row.querySelectorAll("td");
    const title = /** @type {HTMLElement} */ (row.querySelector("th")).textContent;
    if (quiz.bundle.grader === "remote") {
      cells[0].textContent = "graded by the class server";
    } else {
      const graded = gradeAll(quiz.bundle, checkedResponses(record));
      const points = gradedPoints(record, graded);
      const passMark = typeof quiz.bundle.pass_mark === "number" ? quiz.bundle.pass_mark : 0.7;
      const passed = hasPassed(points, quiz.max, passMark);
      cells[0].textContent = formatPoints(points) + " / " + formatPoints(quiz.max);
      cells[1].textContent = passed ? "passed" : "not passed yet";
      cells[1].dataset.passed = String(passed);
      results.push(quizResults(quiz.bundle, record, graded, quiz.max));
    }
    cells[2].textContent = String(record.attempts);
    cells[3].textContent = new Date(record.last).toLocaleString();
    if (loaded.changed.length || loaded.unsure) {
      notices.push(title + " was changed since your answers were saved: they were graded again; " +
        "open the quiz to see which questions.");
    }
  }
  revealScripted(root);
  showStudent(root, store.student(), true);
  const panel = connectStudent(root, store, say, reload);
  root.addEventListener("change", (event) => {
    if (/** @type {HTMLElement} */ (event.target).matches("[data-quizbook-student],[data-quizbook-student-id]")) {
      panel.commitTyped();
    }
  });
  const switchButton = root.querySelector('[data-quizbook-action="switch-student"]');
  if (switchButton) switchButton.addEventListener("click", () => panel.switchStudent());
  if (setAsideCount) {
    notices.unshift("Saved answers of " + plural(setAsideCount, "quiz", "quizzes") + " could not be read " +
      "or were not written by this book; they were set aside and those quizzes start fresh.");
  }
  say(notices.join(" "));
  const button = root.querySelector('[data-quizbook-action="download-all"]');
  if (button) button.addEventListener("click", () => {
    if (!results.length) {
      say("No quiz has been checked in this browser yet.");
      return;
    }
    const student = panel.require();
    if (!student) return;
    const fileName = resultsFileName(student.name, "all");
    browserDownload(root, fileName, resultsFile(student, "book", results));
    say("Downloaded " + fileName + " with the results of " + plural(results.length, "quiz", "quizzes") +
      ". Hand it in as the line below the button says.");
  });
}
