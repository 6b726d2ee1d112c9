// @ts-check
// The book host: mounts every quiz, discussion notes box and progress table under the
// element (or document) it is given, with the browser's storage and downloads.
// The classic script the book loads ends with `mountBookWhenParsed(document)`.

/** @param {ParentNode} host @param {string} selector @param {(element: HTMLElement) => void} mount */
function mountEach(host, selector, mount) {
  host.querySelectorAll(selector).forEach((element) => {
    // One broken quiz must not stop the others; its no-script note stays visible.
    try { mount(/** @type {HTMLElement} */ (element)); } catch (error) { console.warn("quizbook:", error); }
  });
}

/**
 * The grader of a quiz in the book: local, unless a class server serving the page named
 * itself on the quiz (`data-quizbook-server="<base URL>"`) and serves the class-mode script.
 * @param {HTMLElement} root @returns {Grader}
 */
function bookGrader(root) {
  const server = root.getAttribute("data-quizbook-server");
  if (server === null) return new LocalGrader();
  if (typeof RemoteGrader === "undefined") throw new Error("a class-server quiz needs the class-mode script");
  return new RemoteGrader(server);
}

/** @param {HTMLElement} root a `[data-quizbook-discussion]` section */
function mountDiscussion(root) {
  root.querySelectorAll("textarea[data-quizbook-notes]").forEach((element) => {
    const area = /** @type {HTMLTextAreaElement} */ (element);
    const key = area.dataset.quizbookNotes || "";
    area.value = browserStorage.get(key) || "";
    area.addEventListener("input", () => browserStorage.set(key, area.value));
  });
  revealScripted(root);
}

/**
 * The "My progress" table (quizbook.sphinx.progress): saved scores of every quiz, and one
 * download of all results.
 * @param {HTMLElement} root @param {QuizStore} store
 */
function mountProgress(root, store) {
  const data = root.querySelector("script[data-quizbook-progress]");
  /** @type {{quiz: string, lesson: string, version: string, max: number}[]} */
  const quizzes = JSON.parse((data && data.textContent) || "[]");
  /** @type {QuizResults[]} */
  const results = [];
  let setAsideCount = 0;
  for (const quiz of quizzes) {
    const row = Array.from(root.querySelectorAll("[data-progress-quiz]"))
      .find((element) => element.getAttribute("data-progress-quiz") === quiz.quiz);
    const loaded = loadRecord(store, quiz.quiz, quiz.version, quiz.max);
    if (loaded.setAside) setAsideCount++;
    const record = loaded.record;
    if (!row || !record) continue;
    const cells = row.querySelectorAll("td");
    cells[0].textContent = formatPoints(Math.min(recordPoints(record), quiz.max)) + " / " + formatPoints(quiz.max);
    cells[1].textContent = String(record.attempts);
    cells[2].textContent = new Date(record.last).toLocaleString();
    results.push(quizResults(quiz.quiz, quiz.lesson, record, quiz.max));
  }
  revealScripted(root);
  connectStudentName(root, store);
  const status = /** @type {HTMLElement} */ (root.querySelector(".qb-status"));
  if (setAsideCount) {
    status.textContent = "Saved answers of " + setAsideCount + " quiz(zes) were for an older version or " +
      "could not be read; they were set aside and those quizzes start fresh.";
  }
  const button = root.querySelector('[data-quizbook-action="download-all"]');
  if (button) button.addEventListener("click", () => {
    if (!results.length) {
      status.textContent = "No quiz has been checked in this browser yet.";
      return;
    }
    const nameInput = /** @type {HTMLInputElement|null} */ (root.querySelector("[data-quizbook-student]"));
    browserDownload(root, "quizbook-results.json", resultsFile(nameInput ? nameInput.value.trim() : "", "book", results));
    status.textContent = "Downloaded the results of " + results.length + " quiz(zes).";
  });
}

/** @param {ParentNode} host the document, or the element holding the book's content */
function mountBook(host) {
  const store = browserQuizStore();
  mountEach(host, "[data-quizbook-quiz]", (root) => mountQuiz(root, {
    grader: bookGrader(root), store, source: "book",
    download: (quizRoot, fileName, results) => browserDownload(quizRoot, fileName, results),
  }));
  mountEach(host, "[data-quizbook-discussion]", mountDiscussion);
  mountEach(host, "[data-quizbook-progress-root]", (root) => mountProgress(root, store));
  // For `make bench`: the moment every quiz on the page is usable.
  performance.mark("quizbook:ready");
}

/** @param {Document} doc */
function mountBookWhenParsed(doc) {
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", () => mountBook(doc));
  else mountBook(doc);
}
