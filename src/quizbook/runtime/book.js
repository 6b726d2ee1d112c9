// @ts-check
// The book host: mounts every quiz (each as soon as its markup is parsed), discussion notes
// box and progress table of a page, with the browser's storage and downloads, and keeps
// open tabs of the book in step. The classic script the book loads ends with
// `mountBookWhenParsed(document)`; the page has it right after its first quiz (which it
// mounts at once), and after each further quiz a one-line script announces that one
// (`quizbook:mount`, quizbook.sphinx.scripts).

/** Per storage key, what to do when another tab of the book changed it. */
const otherTabChanged = /** @type {Map<string, () => void>} */ (new Map());
/** The quizzes of this page already mounted (or that failed: they keep their no-script note). */
const mountedRoots = /** @type {Set<Element>} */ (new Set());

/** @param {ParentNode} host @param {string} selector @param {(element: HTMLElement) => void} mount */
function mountEach(host, selector, mount) {
  host.querySelectorAll(selector).forEach((element) => {
    // One broken quiz must not stop the others; its no-script note stays visible.
    try { mount(/** @type {HTMLElement} */ (element)); } catch (error) { console.warn("quizbook:", error); }
  });
}

/** The class mode of this page (remote.js): made for its first key-free quiz. */
let classQuizzes = /** @type {ClassQuizzes|null} */ (null);

/**
 * The grader of a quiz in the book: local, unless the quiz is graded by a class server: its
 * key-free bundle says `"grader": "remote"` and names the API folder relative to the page
 * (quizbook.server.keyfree; the page then has the class-mode script), or a server serving
 * the page named itself on the quiz (`data-quizbook-server="<base URL>"`).
 * @param {HTMLElement} root @param {Bundle} bundle
 * @returns {{grader: Grader, classMode?: ClassQuizzes}}
 */
function bookGrader(root, bundle) {
  const server = root.getAttribute("data-quizbook-server");
  const remote = bundle.grader === "remote";
  if (server === null && !remote) return { grader: new LocalGrader(() => loadMarking(root.ownerDocument)) };
  if (typeof RemoteGrader === "undefined") throw new Error("a class-server quiz needs the class-mode script");
  if (!remote) return { grader: new RemoteGrader(server || "") };
  if (!classQuizzes) {
    const api = new URL(bundle.api || "/api/", root.ownerDocument.baseURI).href;
    classQuizzes = new ClassQuizzes(new RemoteGrader("", { api }));
  }
  return { grader: classQuizzes.grader(), classMode: classQuizzes };
}

/** The quiz's bundle (mountQuiz reads it again: it is small). @param {HTMLElement} root @returns {Bundle} */
function bundleOf(root) {
  const script = root.querySelector("script[data-quizbook-bundle]");
  if (!script) throw new Error("quiz markup without its bundle");
  return JSON.parse(script.textContent || "{}");
}

/** @param {Document} doc */
const reloadPage = (doc) => () => { if (doc.defaultView) doc.defaultView.location.reload(); };

/** @param {HTMLElement} root a `[data-quizbook-quiz]` section @param {QuizStore} store */
function mountBookQuiz(root, store) {
  if (mountedRoots.has(root)) return;
  mountedRoots.add(root);
  const doc = root.ownerDocument;
  const bundle = bundleOf(root);
  const { grader, classMode } = bookGrader(root, bundle);
  const hooks = classMode && classMode.hooks();
  const quiz = mountQuiz(root, {
    grader, store, source: "book", reload: reloadPage(doc),
    classMode: hooks,
    downloads: () => loadDownloads(doc),
    download: (quizRoot, fileName, results) => loadDownloads(doc).then((part) =>
      part.browserDownload(quizRoot, fileName, results)),
  });
  if (grader instanceof LocalGrader) {
    // The marking part is on its way while the student answers (and Check waits for it).
    const early = () => loadMarking(doc).catch(() => { /* Check says so, and tries again */ });
    root.addEventListener("focusin", early, { once: true });
    root.addEventListener("pointerdown", early, { once: true });
  }
  const key = STORAGE_PREFIX + "quiz:" + root.getAttribute("data-quizbook-quiz");
  if (classMode && hooks) {
    // In class mode the server has the answers: another tab's Check shows what it has now.
    const classQuiz = mountClassQuiz(quiz.inside, hooks);
    classMode.listen(bundle.id, classQuiz.received, classQuiz.restore);
    otherTabChanged.set(key, classQuiz.restore);
    classQuiz.restore();
  } else {
    otherTabChanged.set(key, quiz.sync);
  }
}

/**
 * Keep this tab in step with the others (the `storage` event): a quiz another tab saved is
 * taken in, notes follow, and a change of student shows the page again (never one
 * student's answers under another's name).
 * @param {Window} view
 */
function followOtherTabs(view) {
  view.addEventListener("storage", (event) => {
    if (event.key === null || event.key === STUDENT_KEY) {
      view.location.reload();
      return;
    }
    const follow = otherTabChanged.get(event.key);
    if (follow) follow();
  });
}

/** @param {number} expected the quizzes the page has (0: unknown, wait for the page) */
function markReadyWhenMounted(expected) {
  if (mountedRoots.size >= expected && !performance.getEntriesByName("quizbook:ready").length) {
    // For `make bench`: the moment every quiz on the page is usable.
    performance.mark("quizbook:ready");
  }
}

/** Everything not mounted yet, once the page is parsed. @param {Document} doc @param {QuizStore} store */
function mountBook(doc, store) {
  mountEach(doc, "[data-quizbook-quiz]", (root) => mountBookQuiz(root, store));
  if (typeof mountDiscussion === "function") mountEach(doc, "[data-quizbook-discussion]", mountDiscussion);
  if (typeof mountProgress === "function") {
    mountEach(doc, "[data-quizbook-progress-root]", (root) => mountProgress(root, store, reloadPage(doc)));
  }
  markReadyWhenMounted(0);
}

/**
 * Mount the quiz right before this script and each later quiz as soon as the script after
 * its markup announces it; the rest when the page is parsed.
 * @param {Document} doc
 */
function mountBookWhenParsed(doc) {
  findParts(doc);
  const store = browserQuizStore();
  const script = doc.currentScript;
  const expected = Number((script && script.getAttribute("data-quizbook-quizzes")) || 0);
  /** @param {Element|null} root the element before a script: a quiz? */
  const mountAfter = (root) => {
    if (!root || !root.matches("[data-quizbook-quiz]")) return;
    try { mountBookQuiz(/** @type {HTMLElement} */ (root), store); } catch (error) { console.warn("quizbook:", error); }
    if (expected) markReadyWhenMounted(expected);
  };
  doc.addEventListener("quizbook:mount", (event) => mountAfter(/** @type {Element} */ (event.target).previousElementSibling));
  mountAfter(script && script.previousElementSibling);
  if (doc.defaultView) followOtherTabs(doc.defaultView);
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", () => mountBook(doc, store));
  else mountBook(doc, store);
}
