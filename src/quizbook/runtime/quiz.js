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
 * @property {() => Promise<Downloads>} downloads the downloads part (a book page loads it
 *   when first needed: parts.js)
 * @property {() => void} [reload] show the page again (after a student switch); without it
 *   the quiz offers no switch (a notebook folder is one student's)
 * @property {ClassHooks} [classMode] a class server's page (remote.js): the server's saved
 *   answers restore the quiz, and its rules follow each Check
 */
/**
 * A mounted quiz: `say` shows a message in its status line; `sync` takes in what another
 * tab saved (the book host calls it on the `storage` event); `inside` is what a class
 * server's page works with (remote.js `mountClassQuiz`, only in class-mode builds).
 * @typedef {{say: (text: string) => void, sync: () => void, inside: QuizInside}} MountedQuiz
 */
/**
 * Inside a mounted quiz, for class mode (remote.js): its bundle and current record, the
 * status line, the controls, and keeping a graded Check (`store` false: only show it).
 * @typedef {object} QuizInside
 * @property {Bundle} bundle
 * @property {() => ProgressRecord|null} record
 * @property {(text: string) => void} say
 * @property {(error: unknown) => string} problemText
 * @property {(question: Question) => StudentResponse} readResponse
 * @property {(question: Question, response: StudentResponse) => void} write
 * @property {(question: Question) => void} clearFeedback
 * @property {(base: ProgressRecord|null, responses: Record<string, StudentResponse>,
 *   graded: Record<string, Graded>, store?: boolean) => {total: number, notRight: number, saved: boolean}} keepGraded
 * @property {(kept: {total: number, notRight: number}) => string} checkedText
 * @property {(id: string) => string} numberOf
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

/** @param {Outcome} outcome */
function verdictOf(outcome) {
  const head = !outcome.answered ? "Not answered." : outcome.correct ? "✓ Right."
    : outcome.points > 0 ? "◐ Partly right." : "✗ Not right yet.";
  return head + " " + formatPoints(outcome.points) + " / " + formatPoints(outcome.max) + " points.";
}

/** @param {string[]} numbers @returns {string} "3", "3 and 5", "2, 3 and 5" */
const listed = (numbers) => numbers.length < 2 ? numbers.join("")
  : numbers.slice(0, -1).join(", ") + " and " + numbers[numbers.length - 1];

/** @param {number} count @param {string} one @param {string} many */
const plural = (count, one, many) => count + " " + (count === 1 ? one : many);

/**
 * What a response keeps on "Try again": its right parts (options, items, pairs), nothing of
 * an all-or-nothing answer that is wrong.
 * @param {StudentResponse} response @param {Record<string, boolean>} parts
 * @returns {StudentResponse}
 */
function rightParts(response, parts) {
  if (Array.isArray(response)) return response.filter((id) => parts[id] === true);
  if (isPlainObject(response)) {
    /** @type {Record<string, string | number>} */
    const kept = {};
    for (const [key, value] of Object.entries(response)) if (parts[key] === true) kept[key] = value;
    return kept;
  }
  return null;
}

/** @param {string|undefined} iso @returns {number} */
const timeOf = (iso) => (iso && Date.parse(iso)) || 0;

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
  const passElement = /** @type {HTMLElement|null} */ (root.querySelector("[data-quizbook-pass]"));
  const scoreLine = /** @type {HTMLElement} */ (scoreElement.closest(".qb-scoreline") || scoreElement);
  const statusElement = /** @type {HTMLElement} */ (root.querySelector(".qb-status"));
  const maxPoints = Number(scoreElement.dataset.max);
  const passMark = typeof bundle.pass_mark === "number" ? bundle.pass_mark : 0.7;
  /** @type {Map<string, HTMLElement>} */
  const fieldsets = new Map();
  root.querySelectorAll("[data-question-id]").forEach((element) => {
    fieldsets.set(element.getAttribute("data-question-id") || "", /** @type {HTMLElement} */ (element));
  });
  /** Per question, the response its feedback is for (JSON): another answer hides that feedback. */
  const shownFor = /** @type {Map<string, string>} */ (new Map());
  /** Per question, how its checked answer was graded last (Try again keeps its right parts). */
  const lastGraded = /** @type {Map<string, Graded>} */ (new Map());
  /** Per question, when the student last changed it in this tab (ms): newer than a save? */
  const changedHere = /** @type {Map<string, number>} */ (new Map());
  const loaded = loadRecord(host.store, bundle, maxPoints);
  let record = loaded.record;
  let stuck = loaded.stuck;
  let checking = false;

  /** @param {string} text */
  const say = (text) => { statusElement.textContent = text; };
  /** What the downloads part needs of this quiz. @returns {QuizForDownload} */
  const forDownload = () => ({ root, host, bundle, record, maxPoints, say });
  /** @param {(part: Downloads) => unknown} use */
  const withDownloads = (use) => host.downloads().then(use).catch((error) => say(problemText(error)));
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
  /** @param {string} id */
  const numberOf = (id) => String(bundle.questions.findIndex((question) => question.id === id) + 1);
  /** When this tab last had question `id` as the store had it, or changed it (ms). */
  const heldSince = (/** @type {string} */ id) =>
    changedHere.get(id) || timeOf(record && record.times ? record.times[id] : undefined);

  /** @param {ProgressRecord} saved @returns {boolean} false when nothing was saved */
  function save(saved) {
    const done = !stuck && host.store.save(bundle.id, JSON.stringify(saved));
    const warning = root.querySelector(".qb-warn");
    if (done && warning) warning.remove();
    if (!done) withDownloads((part) => part.showSaveWarning(root, stuck));
    return done;
  }

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

  /**
   * @param {Question} question @param {Graded} graded @param {StudentResponse} response
   * @param {string} [note] said first, e.g. that the question changed since it was answered
   */
  function showGraded(question, graded, response, note) {
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
    if (note) feedbackArea.appendChild(textElement(doc, "p", "qb-changed", note));
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
    lastGraded.set(question.id, graded);
  }

  /** @param {number} points @param {boolean} checked whether any answer was checked yet */
  function showScore(points, checked) {
    scoreElement.dataset.score = formatPoints(points);
    scoreElement.textContent = formatPoints(points) + " / " + formatPoints(maxPoints);
    if (!passElement) return;
    const mark = "pass mark " + formatPoints(passMark * 100) + "%: " + formatPoints(passMark * maxPoints) +
      " of " + formatPoints(maxPoints) + " points";
    const passed = hasPassed(points, maxPoints, passMark);
    passElement.dataset.passed = checked ? String(passed) : "";
    passElement.textContent = !checked ? "(" + mark + ")" : passed ? "Passed (" + mark + ")." : "Not passed yet (" + mark + ").";
  }

  /** @param {unknown} error */
  const problemText = (error) => error instanceof GradingError ? error.message
    : "Your answers could not be checked (" + String(error) + "); they are still here.";

  /** Bring the score and the status into view (the status is the live region). */
  function revealSummary() {
    const view = doc.defaultView;
    const still = !!view && view.matchMedia("(prefers-reduced-motion: reduce)").matches;
    scoreLine.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
  }

  /**
   * The saved answers to grade again (those checked) and what each question's controls
   * show (Try again's right parts where it cleared them).
   * @param {ProgressRecord} saved
   */
  function writeControls(saved, /** @type {Set<string>} */ only) {
    for (const question of bundle.questions) {
      if (!only.has(question.id)) continue;
      const draft = saved.draft || {};
      const shown = question.id in draft ? draft[question.id]
        : question.id in saved.responses ? saved.responses[question.id] : null;
      typeOf(question).write(fieldsetOf(question), shown);
      clearFeedback(question);
    }
  }

  /**
   * Grade the checked answers of `saved` again and show them (never the saved points).
   * @param {ProgressRecord} saved @param {Set<string>} only the questions to show again
   * @param {Set<string>} changed questions whose key changed since they were answered
   */
  function showSaved(saved, only, changed) {
    const draft = saved.draft || {};
    showScore(0, false);
    if (!host.grader.regrade) return;
    host.grader.regrade(bundle, checkedResponses(saved)).then((graded) => {
      for (const question of bundle.questions) {
        const result = graded[question.id];
        if (!result || !only.has(question.id)) continue;
        lastGraded.set(question.id, result);
        if (question.id in draft) continue;
        showGraded(question, result, saved.responses[question.id], changed.has(question.id)
          ? "This question was changed after you answered it: your answer was graded again under the new key."
          : undefined);
      }
      showScore(gradedPoints(saved, graded), true);
    }, (error) => say(problemText(error)));
  }

  async function checkAnswers() {
    if (checking) return;
    checking = true;
    root.setAttribute("aria-busy", "true");
    try {
      // Another tab may have saved since: per question, the later answer wins.
      const fresh = loadRecord(host.store, bundle, maxPoints);
      stuck = stuck || fresh.stuck;
      const base = fresh.record || record;
      const theirs = new Set(bundle.questions.map((question) => question.id).filter((id) =>
        !!fresh.record && timeOf((fresh.record.times || {})[id]) > heldSince(id)));
      if (fresh.record && theirs.size) writeControls(fresh.record, theirs);
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
      const kept = keepGraded(base, responses, graded);
      say(checkedText(kept) +
        (theirs.size ? " Answers saved in another tab since were taken for question " +
          listed(Array.from(theirs, numberOf)) + "." : "") +
        (kept.saved ? "" : " Not saved: see below.") +
        (host.classMode ? " " + host.classMode.note(bundle.id) : ""));
      revealSummary();
    } finally {
      checking = false;
      root.removeAttribute("aria-busy");
    }
  }

  /** @param {{total: number, notRight: number}} kept */
  const checkedText = (kept) => "Checked: " + formatPoints(kept.total) + " / " + formatPoints(maxPoints) +
    " points. " + (kept.notRight ? plural(kept.notRight, "question is", "questions are") +
      " not fully right; feedback is under each question." : "All right!");

  /**
   * Keep a graded Check in the record and show it. `store` false: only show it (a restore
   * from the class server: saving would wake every other tab, which would restore and save…).
   * @param {ProgressRecord|null} base @param {Record<string, StudentResponse>} responses
   * @param {Record<string, Graded>} graded @param {boolean} [store]
   * @returns {{total: number, notRight: number, saved: boolean}}
   */
  function keepGraded(base, responses, graded, store = true) {
    const now = new Date().toISOString();
    /** @type {ProgressRecord} */
    const next = base ? { ...base, times: { ...(base.times || {}) }, outcomes: { ...base.outcomes },
      responses: { ...base.responses } } : { v: 1, version: bundle.version, attempts: 0, first: now,
      last: now, responses: {}, outcomes: {}, times: {} };
    next.attempts++;
    next.last = now;
    next.draft = {};
    next.revs = {};
    const times = /** @type {Record<string, string>} */ (next.times);
    let total = 0, notRight = 0;
    for (const question of bundle.questions) {
      next.revs[question.id] = question.rev || "";
      const response = responses[question.id];
      const result = graded[question.id] || { outcome: unansweredOutcome(question.points), feedback: {}, explanation: null };
      const { points, max, correct, answered } = result.outcome;
      const previous = next.outcomes[question.id];
      const sameAnswer = JSON.stringify(response) === JSON.stringify(next.responses[question.id]);
      const attempts = (previous ? previous.attempts : 0) +
        (answered && !(sameAnswer && previous && previous.attempts) ? 1 : 0);
      // A new answer (or one taken back) is this tab's latest word on the question; an
      // empty one that was empty before is no word at all (another tab's answer stays).
      const given = !(isEmptyResponse(response) && isEmptyResponse(next.responses[question.id]));
      if (!sameAnswer && given) times[question.id] = now;
      next.responses[question.id] = response;
      next.outcomes[question.id] = { points, max, correct, attempts };
      total += points;
      if (!correct) notRight++;
      showGraded(question, result, response);
    }
    record = next;
    changedHere.clear();
    const saved = !store || save(next);
    showScore(total, true);
    return { total, notRight, saved };
  }

  function retryWrongAnswers() {
    if (!record) {
      say("Check your answers first: then Try again clears what is not right.");
      return;
    }
    const now = new Date().toISOString();
    const draft = /** @type {Record<string, StudentResponse>} */ (record.draft = record.draft || {});
    const times = /** @type {Record<string, string>} */ (record.times = record.times || {});
    /** @type {HTMLElement|null} */
    let firstCleared = null;
    for (const question of bundle.questions) {
      const graded = lastGraded.get(question.id);
      if (graded && graded.outcome.correct) continue;
      const checked = record.responses[question.id];
      const kept = graded && checked !== undefined ? rightParts(checked, graded.outcome.parts) : null;
      clearFeedback(question);
      typeOf(question).write(fieldsetOf(question), kept);
      draft[question.id] = kept;
      times[question.id] = now;
      changedHere.delete(question.id);
      firstCleared = firstCleared || fieldsetOf(question);
    }
    const control = firstCleared && /** @type {HTMLElement|null} */ (firstCleared.querySelector("input,select"));
    if (control) control.focus();
    const saved = save(record);
    say((firstCleared ? "What was not right is cleared, and the right parts of partly right answers are kept: " +
      "try the rest again." : "Everything is right already.") + (saved ? "" : " Not saved: see below."));
  }

  /** Take in what another tab saved: questions it changed later than this tab did. */
  function sync() {
    const fresh = loadRecord(host.store, bundle, maxPoints);
    if (!fresh.record) return;
    const saved = fresh.record;
    const theirs = new Set(bundle.questions.map((question) => question.id)
      .filter((id) => timeOf((saved.times || {})[id]) > heldSince(id)));
    // This tab's unsaved changes stay: they are newer than what the other tab saved.
    for (const question of bundle.questions) {
      if (theirs.has(question.id)) continue;
      const mine = record;
      if (mine && question.id in mine.responses) saved.responses[question.id] = mine.responses[question.id];
    }
    record = saved;
    writeControls(saved, theirs);
    showSaved(saved, theirs, new Set());
  }

  root.addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("[data-quizbook-action]");
    if (!button || !root.contains(button)) return;
    const action = button.getAttribute("data-quizbook-action");
    if (action === "check") checkAnswers().catch((error) => say(problemText(error)));
    else if (action === "retry") retryWrongAnswers();
    else if (action === "download") withDownloads((part) => part.downloadQuiz(forDownload()));
    else if (action === "switch-student") withDownloads((part) => part.panelOf(forDownload()).switchStudent());
  });
  root.addEventListener("change", (event) => {
    if (/** @type {HTMLElement} */ (event.target).matches("[data-quizbook-student],[data-quizbook-student-id]")) {
      withDownloads((part) => part.panelOf(forDownload()).commitTyped());
    }
  });
  root.addEventListener("input", (event) => {
    const fieldset = /** @type {HTMLElement} */ (event.target).closest("[data-question-id]");
    const question = fieldset && bundle.questions.find((q) => q.id === fieldset.getAttribute("data-question-id"));
    if (!question) return;
    changedHere.set(question.id, Date.now());
    if (shownFor.has(question.id) && shownFor.get(question.id) !== JSON.stringify(readResponse(question))) {
      clearFeedback(question);
    }
  });

  revealScripted(root);
  showStudent(root, host.store.student(), !!host.reload);
  /** @type {string[]} */
  const notices = [];
  if (loaded.setAside) {
    notices.push("Your saved answers could not be read or were not written by this book; they were " +
      "kept aside and the quiz starts fresh.");
  }
  if (loaded.stuck) notices.push("Your saved answers could not be read, nor moved aside: see below.");
  if (record) {
    const all = new Set(bundle.questions.map((question) => question.id));
    writeControls(record, all);
    showSaved(record, all, new Set(loaded.changed));
    notices.push("Your saved answers are back (" + plural(record.attempts, "check", "checks") + ", last " +
      new Date(record.last).toLocaleString() + ").");
    if (loaded.changed.length) {
      notices.push("This quiz was changed since: the answer key of question " +
        listed(loaded.changed.map(numberOf)) + " is new, and your answers were graded again under it.");
    }
    if (loaded.unsure) {
      notices.push("This quiz was edited after your answers were saved: they were graded again under " +
        "the current questions. Look over every answer.");
    }
  } else {
    showScore(0, false);
  }
  if (loaded.stuck) withDownloads((part) => part.showSaveWarning(root, true));
  say(notices.join(" "));
  /** @type {QuizInside} */
  const inside = { bundle, record: () => record, say, problemText, readResponse, clearFeedback,
    write: (question, response) => typeOf(question).write(fieldsetOf(question), response),
    keepGraded, checkedText, numberOf };
  return { say, sync, inside };
}
