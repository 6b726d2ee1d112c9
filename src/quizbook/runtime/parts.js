// @ts-check
// Parts of the runtime a book page loads only when a student needs them (downloads.js): a
// classic script next to this one, named on this script's tag (`data-quizbook-downloads`,
// quizbook.sphinx.scripts), which hands its functions over in a `quizbook:part` event:
// nothing goes through the page's globals, and it works from file://.

/** @type {{url: string, loading: Promise<Downloads>|null}} */
const downloadsPart = { url: "", loading: null };

/** Remember where the downloads part is, from the tag of the running script. @param {Document} doc */
function findParts(doc) {
  const script = /** @type {HTMLScriptElement|null} */ (doc.currentScript);
  const name = script && script.getAttribute("data-quizbook-downloads");
  if (script && name) downloadsPart.url = new URL(name, script.src).href;
}

/** @param {Document} doc @returns {Promise<Downloads>} */
function loadDownloads(doc) {
  if (typeof DOWNLOADS !== "undefined") return Promise.resolve(DOWNLOADS);
  if (!downloadsPart.loading) {
    downloadsPart.loading = new Promise((resolve, reject) => {
      doc.addEventListener("quizbook:part", (event) => resolve(/** @type {CustomEvent} */ (event).detail), { once: true });
      const script = doc.createElement("script");
      script.src = downloadsPart.url;
      script.onerror = () => {
        downloadsPart.loading = null;
        reject(new Error("this page's downloads script " + downloadsPart.url + " could not be loaded"));
      };
      doc.head.appendChild(script);
    });
  }
  return downloadsPart.loading;
}
