// @ts-check
// RemoteGrader: the grading interface answered by a class server (docs/contracts.md,
// "Grading interface"). Only class-mode builds of the runtime carry this file.

/**
 * The reply of a class server to `POST {base}/api/quizzes/{quiz id}/check`.
 * @typedef {object} ServerReply
 * @property {Record<string, Graded>} questions
 * @property {number} score
 * @property {number} max
 * @property {boolean} late
 * @property {number} attempt
 * @property {number|null} attempts_left
 */

/**
 * Sends the responses to a class server, which grades them with the reference grader and
 * answers what its policy lets the student see (parts and feedback may be empty).
 */
class RemoteGrader {
  /**
   * @param {string} base the server's address, e.g. "https://class.example.org" or ""
   * @param {{fetch?: typeof fetch, onReply?: (reply: ServerReply) => void}} [options]
   *   fetch: for tests; onReply: sees the whole reply (late, attempts left)
   */
  constructor(base, options = {}) {
    this.base = base.replace(/\/+$/, "");
    this.fetch = options.fetch || ((input, init) => fetch(input, init));
    this.onReply = options.onReply;
  }

  /**
   * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses @param {string} attemptId
   * @returns {Promise<Record<string, Graded>>}
   */
  async check(bundle, responses, attemptId) {
    const url = this.base + "/api/quizzes/" + encodeURIComponent(bundle.id) + "/check";
    let reply;
    /** @type {unknown} */
    let body = null;
    try {
      reply = await this.fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ attempt_id: attemptId, version: bundle.version, responses }),
      });
    } catch (_) {
      throw new GradingError("The class server cannot be reached: your answers are still here; " +
        "check again when you are back online.");
    }
    try { body = await reply.json(); } catch (_) { /* reported below */ }
    if (!reply.ok) {
      const said = isPlainObject(body) && typeof body.error === "string" ? " " + body.error : "";
      throw new GradingError("The class server refused the answers (HTTP " + reply.status + ")." + said);
    }
    const checked = readServerReply(body);
    if (this.onReply) this.onReply(/** @type {ServerReply} */ (body));
    return checked;
  }
}

/**
 * The graded questions of a server reply, checked: a reply this page cannot read is refused
 * rather than shown half.
 * @param {unknown} body
 * @returns {Record<string, Graded>}
 */
function readServerReply(body) {
  const unreadable = new GradingError("The class server sent a reply this page cannot read.");
  if (!isPlainObject(body) || !isPlainObject(body.questions)) throw unreadable;
  /** @type {Record<string, Graded>} */
  const checked = {};
  for (const [questionId, item] of Object.entries(body.questions)) {
    if (!isPlainObject(item) || !isPlainObject(item.outcome)) throw unreadable;
    const { points, max, correct, answered } = item.outcome;
    const parts = item.outcome.parts === undefined ? {} : item.outcome.parts;
    const feedback = item.feedback === undefined ? {} : item.feedback;
    const explanation = item.explanation === undefined ? null : item.explanation;
    const isNumber = (/** @type {unknown} */ x) => typeof x === "number" && Number.isFinite(x);
    if (!isNumber(points) || !isNumber(max) || !(points >= 0 && points <= max) ||
        typeof correct !== "boolean" || typeof answered !== "boolean" ||
        !isPlainObject(parts) || !Object.values(parts).every((v) => typeof v === "boolean") ||
        !isPlainObject(feedback) || !Object.values(feedback).every((v) => typeof v === "string") ||
        !(explanation === null || typeof explanation === "string")) throw unreadable;
    checked[questionId] = { outcome: { points, max, correct, answered, parts }, feedback, explanation };
  }
  return checked;
}
