// @ts-check
// Parts of the runtime a book page loads only when a student needs them: the marking part
// (marking.js with the hash and answer rules and the page's markers) when a quiz is first
// used or graded, the downloads part (downloads.js) when a student first downloads, names
// themselves, switches student or cannot save. Each is a classic script next to this one,
// named on this script's tag (`data-quizbook-marking`, `data-quizbook-downloads`,
// quizbook.sphinx.scripts), which hands its functions over in a `quizbook:<part>` event on
// the document: nothing goes through the page's globals, and it works from file://.

/** Per part, its script's address and its load (null until asked for, or after a failure). */
const pageParts = /** @type {Record<"marking"|"downloads", {url: string, loading: Promise<any>|null}>} */ ({
  marking: { url: "", loading: null }, downloads: { url: "", loading: null } });

/** Remember where the parts are, from the tag of the running script. @param {Document} doc */
function findParts(doc) {
  const script = /** @type {HTMLScriptElement|null} */ (doc.currentScript);
  for (const [name, part] of Object.entries(pageParts)) {
    const file = script && script.getAttribute("data-quizbook-" + name);
    if (script && file) part.url = new URL(file, script.src).href;
  }
}

/**
 * The part, loaded once (again after a failed load: the next use tries anew).
 * @param {Document} doc @param {"marking"|"downloads"} name
 * @returns {Promise<any>}
 */
function loadPart(doc, name) {
  const part = pageParts[name];
  if (!part.loading) {
    part.loading = new Promise((resolve, reject) => {
      doc.addEventListener("quizbook:" + name, (event) => resolve(/** @type {CustomEvent} */ (event).detail), { once: true });
      const script = doc.createElement("script");
      script.src = part.url;
      script.onerror = () => {
        part.loading = null;
        reject(new GradingError("This page's " + name + " script (" + part.url.split("/").pop() +
          ") could not be loaded: reload the page to try again. Your answers are still here."));
      };
      doc.head.appendChild(script);
    });
  }
  return part.loading;
}

/** @param {Document} doc @returns {Promise<Downloads>} */
const loadDownloads = (doc) =>
  typeof DOWNLOADS !== "undefined" ? Promise.resolve(DOWNLOADS) : loadPart(doc, "downloads");

/** @param {Document} doc @returns {Promise<Marking>} */
const loadMarking = (doc) =>
  typeof MARKING !== "undefined" ? Promise.resolve(MARKING) : loadPart(doc, "marking");
