// @ts-check
// Who the results are for: the name (required before any download, with the reason) and an
// optional student id, remembered by the host for the whole book; on shared computers,
// "Not you? Switch student" puts the current student's work away (quizbook.sphinx markup:
// `[data-quizbook-who]`, `[data-quizbook-name-form]`, docs/contracts.md "Downloads").

/**
 * @typedef {object} StudentPanel
 * @property {() => Student|null} require the student for a download; null after asking
 *   for the name (the reason is said and the name field focused)
 * @property {() => void} refresh show the host's student again (another tab changed it)
 */

/**
 * @param {HTMLElement} root a quiz or the progress table
 * @param {QuizStore} store
 * @param {(text: string) => void} say
 * @param {() => void} reload the page must show other work (a student switched or came back)
 * @returns {StudentPanel}
 */
function connectStudent(root, store, say, reload) {
  const who = /** @type {HTMLElement|null} */ (root.querySelector("[data-quizbook-who]"));
  const whoName = /** @type {HTMLElement|null} */ (root.querySelector("[data-quizbook-who-name]"));
  const form = /** @type {HTMLElement|null} */ (root.querySelector("[data-quizbook-name-form]"));
  const nameInput = /** @type {HTMLInputElement|null} */ (root.querySelector("[data-quizbook-student]"));
  const idInput = /** @type {HTMLInputElement|null} */ (root.querySelector("[data-quizbook-student-id]"));
  const switchButton = /** @type {HTMLElement|null} */ (root.querySelector('[data-quizbook-action="switch-student"]'));

  function refresh() {
    const student = store.student();
    const known = !!student.name.trim();
    if (who) who.hidden = !known;
    if (form) form.hidden = known;
    if (whoName) whoName.textContent = student.name + (student.id ? " (student ID " + student.id + ")" : "");
    if (switchButton) switchButton.hidden = !store.switchStudent;
    const focused = root.ownerDocument.activeElement;
    if (nameInput && focused !== nameInput) nameInput.value = student.name;
    if (idInput && focused !== idInput) idInput.value = student.id;
  }

  /** @returns {Student} what the form says */
  const typed = () => ({ name: nameInput ? nameInput.value.trim() : "", id: idInput ? idInput.value.trim() : "" });

  /**
   * Name the student of this work; true when the page must reload to show their earlier work.
   * Typing (`quiet`) changes nothing on the page: a button moving under the pointer between
   * the field losing focus and the click would swallow the click.
   */
  function commit(/** @type {Student} */ student, quiet = false) {
    const back = store.claimStudent ? store.claimStudent(student) : (store.saveStudent(student), false);
    if (back) {
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

  const onChange = () => {
    const student = typed();
    if (student.name) commit(student, true);
  };
  if (nameInput) nameInput.addEventListener("change", onChange);
  if (idInput) idInput.addEventListener("change", onChange);
  if (switchButton) switchButton.addEventListener("click", () => {
    if (store.switchStudent && store.switchStudent()) reload();
    else say("The student cannot be switched: this browser's storage is full or blocked. " +
      "Download your results first; your answers stay here.");
  });
  refresh();

  return {
    refresh,
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
