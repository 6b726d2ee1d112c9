// @ts-check
// Discussion notes boxes of the book (quizbook.sphinx.discussion): the text is kept in the
// browser's storage at every change, and follows other tabs. Only pages with a discussion
// load this file.

/** @param {HTMLElement} root a `[data-quizbook-discussion]` section */
function mountDiscussion(root) {
  root.querySelectorAll("textarea[data-quizbook-notes]").forEach((element) => {
    const area = /** @type {HTMLTextAreaElement} */ (element);
    const key = area.dataset.quizbookNotes || "";
    const notice = textElement(root.ownerDocument, "p", "qb-warn", "");
    notice.setAttribute("role", "alert");
    notice.hidden = true;
    area.after(notice);
    area.value = browserStorage.get(key) || "";
    area.addEventListener("input", () => {
      const saved = browserStorage.set(key, area.value);
      notice.hidden = saved;
      notice.textContent = saved ? "" : "Your notes could not be saved in this browser (its storage is full " +
        "or blocked): copy them somewhere safe before you leave the page.";
    });
    otherTabChanged.set(key, () => {
      if (root.ownerDocument.activeElement !== area) area.value = browserStorage.get(key) || "";
    });
  });
  revealScripted(root);
}
