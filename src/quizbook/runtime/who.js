// @ts-check
// Who the results are for, as a page shows it (the quiz and the progress table at first, and
// the downloads part after a name is given): in the core and in the downloads part.

/**
 * Who the results are for, as the page first shows it: the name form until a name is known,
 * then the name (and "Not you? Switch student" where students share a computer).
 * @param {HTMLElement} root a quiz or the progress table @param {Student} student
 * @param {boolean} shared
 */
function showStudent(root, student, shared) {
  const known = !!student.name.trim();
  const part = (/** @type {string} */ selector) => /** @type {HTMLElement|null} */ (root.querySelector(selector));
  const who = part("[data-quizbook-who]"), form = part("[data-quizbook-name-form]");
  const whoName = part("[data-quizbook-who-name]"), switchButton = part("[data-quizbook-action=switch-student]");
  if (who) who.hidden = !known;
  if (form) form.hidden = known;
  if (switchButton) switchButton.hidden = !shared;
  if (whoName) whoName.textContent = student.name + (student.id ? " (student ID " + student.id + ")" : "");
  const focused = root.ownerDocument.activeElement;
  for (const [selector, value] of [["[data-quizbook-student]", student.name], ["[data-quizbook-student-id]", student.id]]) {
    const input = /** @type {HTMLInputElement|null} */ (root.querySelector(selector));
    if (input && input !== focused) input.value = value;
  }
}
