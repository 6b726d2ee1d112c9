// @ts-check
// Who the results are for: the name (required before any download, with the reason) and an
// optional student id, remembered by the host for the whole book; on shared computers,
// "Not you? Switch student" puts the current student's work away (shelves.js). Markup:
// `[data-quizbook-who]`, `[data-quizbook-name-form]` (quizbook.sphinx, docs/contracts.md
// "Downloads"); the first view of it is `showStudent` (quiz.js). Part of the downloads part.

/**
 * @typedef {object} StudentPanel
 * @property {() => Student|null} require the student for a download; null after asking
 *   for the name (the reason is said and the name field focused)
 * @property {() => void} commitTyped remember the name typed (the field changed)
 * @property {() => void} switchStudent "Not you? Switch student"
 */

/**
 * @param {HTMLElement} root a quiz or the progress table
 * @param {QuizStore} store
 * @param {(text: string) => void} say
 * @param {(() => void)|null} reload the page must show other work (a student switched or came
 *   back); null: not a shared computer (a notebook folder is one student's), no switching
 * @returns {StudentPanel}
 */
function connectStudent(root, store, say, reload) {
  const form = /** @type {HTMLElement|null} */ (root.querySelector("[data-quizbook-name-form]"));
  const nameInput = /** @type {HTMLInputElement|null} */ (root.querySelector("[data-quizbook-student]"));
  const idInput = /** @type {HTMLInputElement|null} */ (root.querySelector("[data-quizbook-student-id]"));

  const refresh = () => showStudent(root, store.student(), !!reload);

  /** @returns {Student} what the form says */
  const typed = () => ({ name: nameInput ? nameInput.value.trim() : "", id: idInput ? idInput.value.trim() : "" });

  /**
   * Name the student of this work; true when the page must reload to show their earlier work.
   * Typing (`quiet`) changes nothing on the page: a button moving under the pointer between
   * the field losing focus and the click would swallow the click.
   */
  function commit(/** @type {Student} */ student, quiet = false) {
    const back = reload ? claimBrowserStudent(student) : (store.saveStudent(student), false);
    if (back && reload) {
      reload();
      return true;
    }
    if (quiet) return false;
    if (store.student().name !== student.name) {
      say("Your name could not be saved here (storage is full or blocked): it is used for this download only.");
    } else {
      refresh();
    }
    return false;
  }

  return {
    commitTyped() {
      const student = typed();
      if (student.name) commit(student, true);
    },
    switchStudent() {
      if (reload && switchBrowserStudent()) reload();
      else say("The student cannot be switched: this browser's storage is full or blocked. " +
        "Download your results first; your answers stay here.");
    },
    require() {
      const saved = store.student();
      if (saved.name.trim() && (!form || form.hidden)) return saved;
      const student = typed();
      if (!student.name) {
        say("Type your name first: your instructor needs it on the results file to give you credit.");
        if (nameInput) nameInput.focus();
        return null;
      }
      return commit(student) ? null : student;
    },
  };
}

/**
 * A warning that saving failed, with a download button right in it (storage full or
 * blocked): shown until the next save works (then the quiz removes it).
 * @param {HTMLElement} root
 * @param {boolean} stuck the saved record could not be read, nor moved aside
 */
function showSaveWarning(root, stuck) {
  const text = stuck
    ? "Your saved answers could not be read, nor moved aside (storage is full or blocked): " +
      "nothing is saved until there is room. Download your results to keep them."
    : "Your answers could not be saved in this browser (its storage is full or blocked): " +
      "they are only on this page until you leave it. Download your results now to keep them.";
  let warning = /** @type {HTMLElement|null} */ (root.querySelector(".qb-warn"));
  if (!warning) {
    const doc = root.ownerDocument;
    warning = doc.createElement("div");
    warning.className = "qb-warn";
    warning.setAttribute("role", "alert");
    warning.appendChild(doc.createElement("p"));
    const button = doc.createElement("button");
    button.textContent = "Download my results";
    button.setAttribute("type", "button");
    button.setAttribute("data-quizbook-action", "download");
    warning.appendChild(button);
    const status = root.querySelector(".qb-status");
    if (status) status.after(warning);
  }
  /** @type {HTMLElement} */ (warning.firstChild).textContent = text;
}
