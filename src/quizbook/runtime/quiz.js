// @ts-check
// Mount one quiz on its root element: the markup rendered at build time (quizbook.sphinx.render,
// the DOM contract of docs/contracts.md) gets grading, feedback, saving and downloads.
// Everything is looked up inside the root; what differs between hosts (book page, notebook
// widget, class server) comes in as a QuizHost.

/**
 * What the host of a quiz provides.
 * @typedef {object} QuizHost
 * @property {Grader} grader
 * @property {QuizStore} store
 * @property {(root: HTMLElement, fileName: string, results: ResultsFile) => void} download
 * @property {"book"|"notebook"} source written into results files
 */
/**
 * A mounted quiz: `say` shows a message in its status line.
 * @typedef {{say: (text: string) => void}} MountedQuiz
 */

/**
 * @param {Document} doc @param {string} tag @param {string} className @param {string} text
 * @returns {HTMLElement} an element holding plain text
 */
function textElement(doc, tag, className, text) {
  const element = doc.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
}

/**
 * @param {Document} doc @param {string} tag @param {string} className @param {string} safeHtml
 *   HTML made by quizbook.markup (the bundle's sealed texts, or a grader's reply)
 * @returns {HTMLElement}
 */
function htmlElement(doc, tag, className, safeHtml) {
  const element = doc.createElement(tag);
  element.className = className;
  element.innerHTML = safeHtml;
  return element;
}

/** Show the parts only a script can use; drop the note that says a script is needed. @param {HTMLElement} root */
function revealScripted(root) {
  root.querySelectorAll(".qb-nojs").forEach((note) => note.remove());
  root.querySelectorAll("[data-qb-js]").forEach((part) => { /** @type {HTMLElement} */ (part).hidden = false; });
}

/** @param {HTMLElement} root @param {QuizStore} store */
function connectStudentName(root, store) {
  root.querySelectorAll("[data-quizbook-student]").forEach((element) => {
    const input = /** @type {HTMLInputElement} */ (element);
    input.value = store.studentName();
    input.addEventListener("input", () => store.saveStudentName(input.value));
  });
}

/** @param {Outcome} outcome */
function verdictOf(outcome) {
  const head = !outcome.answered ? "Not answered." : outcome.correct ? "✓ Right."
    : outcome.points > 0 ? "◐ Partly right." : "✗ Not right yet.";
  return head + " " + formatPoints(outcome.points) + " / " + formatPoints(outcome.max) + " points.";
}

/**
 * @param {HTMLElement} root the quiz's `[data-quizbook-quiz]` section
 * @param {QuizHost} host
 * @returns {MountedQuiz}
 */
function mountQuiz(root, host) {
  const doc = root.ownerDocument;
  const bundleScript = root.querySelector("script[data-quizbook-bundle]");
  if (!bundleScript) throw new Error("quiz markup without its bundle");
  /** @type {Bundle} */
  const bundle = JSON.parse(bundleScript.textContent || "{}");
  const scoreElement = /** @type {HTMLElement} */ (root.querySelector("[data-quizbook-score]"));
  const statusElement = /** @type {HTMLElement} */ (root.querySelector(".qb-status"));
  const maxPoints = Number(scoreElement.dataset.max);
  /** @type {Map<string, HTMLElement>} */
  const fieldsets = new Map();
  root.querySelectorAll("[data-question-id]").forEach((element) => {
    fieldsets.set(element.getAttribute("data-question-id") || "", /** @type {HTMLElement} */ (element));
  });
  /** Per question, the response its feedback is for (JSON): another answer hides that feedback. */
  const shownFor = /** @type {Map<string, string>} */ (new Map());
  const loaded = loadRecord(host.store, bundle.id, bundle.version, maxPoints);
  let record = loaded.record;
  let checking = false;

  /** @param {string} text */
  const say = (text) => { statusElement.textContent = text; };
  /** @param {Question} question */
  const fieldsetOf = (question) => /** @type {HTMLElement} */ (fieldsets.get(question.id));
  /** @param {Question} question */
  const typeOf = (question) => {
    const type = QUESTION_TYPES[question.type];
    if (!type) throw new Error("unknown question type " + question.type);
    return type;
  };
  /** @param {Question} question */
  const readResponse = (question) => typeOf(question).read(fieldsetOf(question));

  /** @param {Question} question */
  function clearFeedback(question) {
    const fieldset = fieldsetOf(question);
    fieldset.querySelectorAll(".qb-mark,.qb-ofb").forEach((mark) => mark.remove());
    fieldset.querySelectorAll(".qb-right,.qb-wrong").forEach((part) => part.classList.remove("qb-right", "qb-wrong"));
    fieldset.classList.remove("qb-done");
    /** @type {HTMLElement} */ (fieldset.querySelector(".qb-fb")).textContent = "";
    shownFor.delete(question.id);
  }

  /** @param {HTMLElement} fieldset @param {string} partId @returns {HTMLElement|undefined} */
  const partElement = (fieldset, partId) => /** @type {HTMLElement[]} */ (Array.from(fieldset.querySelectorAll("[data-part]")))
    .find((element) => element.getAttribute("data-part") === partId);

  /** @param {Question} question @param {Graded} graded @param {StudentResponse} response */
  function showGraded(question, graded, response) {
    clearFeedback(question);
    const fieldset = fieldsetOf(question);
    const feedbackArea = /** @type {HTMLElement} */ (fieldset.querySelector(".qb-fb"));
    const besideParts = !!typeOf(question).feedbackBesideParts;
    for (const [partId, right] of Object.entries(graded.outcome.parts)) {
      const part = partElement(fieldset, partId);
      if (!part) continue;
      part.classList.add(right ? "qb-right" : "qb-wrong");
      part.appendChild(textElement(doc, "span", "qb-mark", right ? "✓ right" : "✗ not right"));
    }
    feedbackArea.appendChild(textElement(doc, "p", "qb-verdict", verdictOf(graded.outcome)));
    for (const [key, html] of Object.entries(graded.feedback)) {
      const part = besideParts ? partElement(fieldset, key) : undefined;
      if (part) part.appendChild(htmlElement(doc, "div", "qb-ofb", html));
      else feedbackArea.appendChild(htmlElement(doc, "p", "", html));
    }
    if (graded.explanation) {
      feedbackArea.appendChild(htmlElement(doc, "p", "qb-expl", "<strong>Why:</strong> " + graded.explanation));
    }
    fieldset.classList.toggle("qb-done", graded.outcome.correct);
    shownFor.set(question.id, JSON.stringify(response));
  }

  /** @param {number} points */
  function showScore(points) {
    scoreElement.dataset.score = formatPoints(points);
    scoreElement.textContent = formatPoints(points) + " / " + formatPoints(maxPoints);
  }

  /** @param {unknown} error */
  const problemText = (error) => error instanceof GradingError ? error.message
    : "Your answers could not be checked (" + String(error) + "); they are still here.";

  async function checkAnswers() {
    if (checking) return;
    checking = true;
    root.setAttribute("aria-busy", "true");
    try {
      /** @type {Record<string, StudentResponse>} */
      const responses = {};
      for (const question of bundle.questions) responses[question.id] = readResponse(question);
      let graded;
      try {
        graded = await host.grader.check(bundle, responses, newAttemptId());
      } catch (error) {
        say(problemText(error));
        return;
      }
      const now = new Date().toISOString();
      /** @type {ProgressRecord} */
      const next = record || { v: 1, version: bundle.version, attempts: 0, first: now, last: now, responses: {}, outcomes: {} };
      next.attempts++;
      next.last = now;
      let total = 0, notRight = 0;
      for (const question of bundle.questions) {
        const response = responses[question.id];
        const result = graded[question.id] || { outcome: unansweredOutcome(question.points), feedback: {}, explanation: null };
        const { points, max, correct, answered } = result.outcome;
        const previous = next.outcomes[question.id];
        const sameAnswer = JSON.stringify(response) === JSON.stringify(next.responses[question.id]);
        const attempts = (previous ? previous.attempts : 0) +
          (answered && !(sameAnswer && previous && previous.attempts) ? 1 : 0);
        next.responses[question.id] = response;
        next.outcomes[question.id] = { points, max, correct, attempts };
        total += points;
        if (!correct) notRight++;
        showGraded(question, result, response);
      }
      record = next;
      const saved = host.store.save(bundle.id, JSON.stringify(next));
      showScore(total);
      say("Checked: " + formatPoints(total) + " / " + formatPoints(maxPoints) + " points. " +
        (notRight ? notRight + " question(s) not fully right; feedback is under each question." : "All right!") +
        (saved ? "" : " Your answers could not be saved here (storage is full or blocked): " +
          "download your results to keep them."));
    } finally {
      checking = false;
      root.removeAttribute("aria-busy");
    }
  }

  function retryWrongAnswers() {
    /** @type {HTMLElement|null} */
    let firstCleared = null;
    for (const question of bundle.questions) {
      const outcome = record && record.outcomes[question.id];
      if (outcome && outcome.correct) continue;
      clearFeedback(question);
      typeOf(question).write(fieldsetOf(question), null);
      firstCleared = firstCleared || fieldsetOf(question);
    }
    const control = firstCleared && /** @type {HTMLElement|null} */ (firstCleared.querySelector("input,select"));
    if (control) control.focus();
    say(firstCleared ? "Answers that were not right are cleared: try them again." : "Everything is right already.");
  }

  function downloadResults() {
    if (!record) {
      say("Check your answers first: there are no results to download yet.");
      return;
    }
    const nameInput = /** @type {HTMLInputElement|null} */ (root.querySelector("[data-quizbook-student]"));
    const results = resultsFile(nameInput ? nameInput.value.trim() : "", host.source,
      [quizResults(bundle.id, bundle.lesson, record, maxPoints)]);
    host.download(root, "results-" + bundle.id + ".json", results);
  }

  /** Put saved answers back; their scores come from grading them again, never from the record. */
  function restore(/** @type {ProgressRecord} */ saved) {
    for (const id of Object.keys(saved.outcomes)) {
      if (!bundle.questions.some((question) => question.id === id)) delete saved.outcomes[id];
    }
    /** @type {Record<string, StudentResponse>} */
    const toGrade = {};
    for (const question of bundle.questions) {
      if (!(question.id in saved.responses)) continue;
      typeOf(question).write(fieldsetOf(question), saved.responses[question.id]);
      if (question.id in saved.outcomes) toGrade[question.id] = saved.responses[question.id];
    }
    showScore(0);
    if (!host.grader.regrade) return;
    host.grader.regrade(bundle, toGrade).then((graded) => {
      let total = 0;
      for (const question of bundle.questions) {
        const result = graded[question.id];
        if (!result || !(question.id in toGrade)) continue;
        const { points, max, correct } = result.outcome;
        saved.outcomes[question.id] = { points, max, correct, attempts: saved.outcomes[question.id].attempts };
        total += points;
        showGraded(question, result, toGrade[question.id]);
      }
      showScore(total);
    }, (error) => say(problemText(error)));
  }

  root.addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("[data-quizbook-action]");
    if (!button || !root.contains(button)) return;
    const action = button.getAttribute("data-quizbook-action");
    if (action === "check") checkAnswers().catch((error) => say(problemText(error)));
    else if (action === "retry") retryWrongAnswers();
    else if (action === "download") downloadResults();
  });
  root.addEventListener("input", (event) => {
    const fieldset = /** @type {HTMLElement} */ (event.target).closest("[data-question-id]");
    const question = fieldset && bundle.questions.find((q) => q.id === fieldset.getAttribute("data-question-id"));
    if (question && shownFor.has(question.id) && shownFor.get(question.id) !== JSON.stringify(readResponse(question))) {
      clearFeedback(question);
    }
  });

  revealScripted(root);
  connectStudentName(root, host.store);
  if (loaded.setAside) {
    say("Your saved answers were for an older version of this quiz or could not be read; the quiz starts fresh.");
  }
  if (record) {
    restore(record);
    say("Your saved answers are back (" + record.attempts + " check(s), last " +
      new Date(record.last).toLocaleString() + ").");
  } else {
    showScore(0);
  }
  return { say };
}
