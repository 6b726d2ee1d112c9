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

/** Statuses after which an attempt was surely not stored and is sent again later. */
const RESEND_STATUSES = [429, 502, 503, 504];
/** Errors that mean the server never had the attempt (no connection, a proxy without server). */
const UNREACHABLE = /** @type {WeakSet<Error>} */ (new WeakSet());
/** @param {GradingError} error @returns {GradingError} */
const unreachable = (error) => { UNREACHABLE.add(error); return error; };

/**
 * Sends the responses to a class server, which grades them with the reference grader and
 * answers what its policy lets the student see (parts and feedback may be empty).
 */
class RemoteGrader {
  /**
   * @param {string} base the server's address, e.g. "https://class.example.org" or ""
   * @param {{fetch?: typeof fetch, onReply?: (reply: ServerReply) => void, api?: string}} [options]
   *   fetch: for tests; onReply: sees the whole reply (late, attempts left); api: the API
   *   folder's URL when it is not `base + "/api/"`
   */
  constructor(base, options = {}) {
    this.base = base.replace(/\/+$/, "");
    /** The API folder (a class page's bundle names it relative to the page). */
    this.api = options.api || this.base + "/api/";
    this.fetch = options.fetch || ((input, init) => fetch(input, init));
    this.onReply = options.onReply;
  }

  /** @param {string} quizId @param {string} what e.g. "check", "answers" */
  url(quizId, what) {
    return this.api + "quizzes/" + encodeURIComponent(quizId) + "/" + what;
  }

  /**
   * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses @param {string} attemptId
   * @returns {Promise<Record<string, Graded>>}
   */
  async check(bundle, responses, attemptId) {
    return (await this.send(bundle.id, bundle.version, responses, attemptId)).graded;
  }

  /**
   * One Check sent: the graded questions and the whole reply.
   * @param {string} quizId @param {string} version @param {Record<string, StudentResponse>} responses
   * @param {string} attemptId
   * @returns {Promise<{graded: Record<string, Graded>, reply: ServerReply}>}
   */
  async send(quizId, version, responses, attemptId) {
    const bundle = { id: quizId, version };
    const url = this.url(bundle.id, "check");
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
      throw unreachable(new GradingError("The class server cannot be reached: your answers are " +
        "still here; check again when you are back online."));
    }
    try { body = await reply.json(); } catch (_) { /* reported below */ }
    if (RESEND_STATUSES.includes(reply.status)) {
      // A proxy whose server is down, or a server too busy: the answers were not stored.
      throw unreachable(new GradingError("The class server did not take the answers (HTTP " +
        reply.status + "): your answers are still here; check again in a moment."));
    }
    if (!reply.ok) {
      const said = isPlainObject(body) && typeof body.error === "string" ? " " + body.error : "";
      throw new GradingError("The class server refused the answers (HTTP " + reply.status + ")." + said);
    }
    const checked = readServerReply(body);
    const whole = /** @type {ServerReply} */ (body);
    if (this.onReply) this.onReply(whole);
    return { graded: checked, reply: whole };
  }

  /**
   * The student's own attempts at a quiz (`GET .../answers`), to restore a page.
   * @param {string} quizId @returns {Promise<SavedAnswers>}
   */
  async answers(quizId) {
    let reply;
    /** @type {unknown} */
    let body = null;
    try {
      reply = await this.fetch(this.url(quizId, "answers"), {
        method: "GET", credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (_) {
      throw unreachable(new GradingError("The class server cannot be reached."));
    }
    try { body = await reply.json(); } catch (_) { /* reported below */ }
    if (RESEND_STATUSES.includes(reply.status)) {
      throw unreachable(new GradingError("The class server is not answering (HTTP " + reply.status + ")."));
    }
    if (!reply.ok || !isPlainObject(body) || typeof body.attempts !== "number" || !isPlainObject(body.policy)) {
      const said = isPlainObject(body) && typeof body.error === "string" ? " " + body.error : "";
      throw new GradingError("The class server did not give your saved answers (HTTP " + reply.status + ")." + said);
    }
    return /** @type {SavedAnswers} */ (body);
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

// ---- Class mode in the book: the answers kept on this device, and what the student is told ----

/**
 * The attempt policy of a quiz as the class server states it (docs/class-server.md).
 * @typedef {{tries: number|null, marks_before_close: boolean, counts: string, late_counts: boolean}} ServerPolicy
 */
/**
 * `GET /api/quizzes/{id}/answers`: the student's own attempts.
 * @typedef {object} SavedAnswers
 * @property {number} attempts
 * @property {number|null} attempts_left
 * @property {boolean} closed
 * @property {ServerPolicy} policy
 * @property {{attempt: number, score: number, max: number}|null} counted
 * @property {{attempt_id: string, attempt: number, late: boolean, received_at: string,
 *   responses: Record<string, StudentResponse>, reply: ServerReply|null}|null} last
 */
/**
 * A Check kept in this browser until the class server has it (`quizbook:v1:outbox:<quiz>:<id>`,
 * one key per attempt: two tabs adding and sending never overwrite each other's list).
 * @typedef {{attemptId: string, quiz: string, version: string,
 *   responses: Record<string, StudentResponse>, queued: string}} QueuedAttempt
 */
/**
 * What a class quiz shows when its page opens: the last answers the server has and how they
 * read now, the answers still waiting on this device, and what to tell the student.
 * @typedef {{responses: Record<string, StudentResponse>|null, graded: Record<string, Graded>|null,
 *   pending: Record<string, StudentResponse>|null, note: string}} Restored
 */
/**
 * The class-mode part of a quiz's host (quiz.js).
 * @typedef {object} ClassHooks
 * @property {(bundle: Bundle) => Promise<Restored>} restore
 * @property {(quizId: string) => string} note what follows "Checked: …": attempt, tries left, late
 */
/**
 * A Check that was answered after it waited on this device (or refused: `graded` null).
 * @typedef {(responses: Record<string, StudentResponse>|null, graded: Record<string, Graded>|null,
 *   note: string) => void} SentListener
 */

const OUTBOX_PREFIX = STORAGE_PREFIX + "outbox:";
/** Without Web Locks (http:// on a classroom network is no secure context): a lease in storage. */
const LEASE_KEY = STORAGE_PREFIX + "outbox-lease";
const LEASE_MS = 30000;
/** Waits between tries to send what waits, growing while the server stays away. */
const RETRY_MS = [2000, 5000, 10000, 20000, 30000];

const QUEUED_TEXT = "The class server cannot be reached: your answers are still here, saved on this " +
  "device, and will be sent by themselves when the connection is back (keep this page open, or " +
  "open it again later).";

/** @param {string} text @returns {QueuedAttempt|null} */
function readQueued(text) {
  try {
    const value = JSON.parse(text);
    if (isPlainObject(value) && typeof value.attemptId === "string" && typeof value.quiz === "string" &&
        typeof value.version === "string" && isPlainObject(value.responses) && typeof value.queued === "string") {
      return /** @type {QueuedAttempt} */ (value);
    }
  } catch (_) { /* not ours: left alone */ }
  return null;
}

/** @param {number} count */
const checksWord = (count) => count === 1 ? "1 check" : count + " checks";

/**
 * The class mode of one book page: every quiz grades through the server; a Check that cannot
 * reach it waits in the browser's storage with its attempt id and is sent again (the server
 * stores an attempt id once) when the connection is back or the page opens again. One tab
 * sends at a time (Web Locks, else a lease in storage).
 */
class ClassQuizzes {
  /**
   * @param {RemoteGrader} remote
   * @param {{storage?: typeof browserStorage, view?: Window|null}} [options]
   */
  constructor(remote, options = {}) {
    this.remote = remote;
    this.storage = options.storage || browserStorage;
    this.view = options.view !== undefined ? options.view : typeof window === "undefined" ? null : window;
    /** @type {Map<string, SavedAnswers>} what the server said of each quiz */
    this.known = new Map();
    /** @type {Map<string, ServerReply>} */
    this.lastReply = new Map();
    /** @type {Map<string, SentListener>} */
    this.listeners = new Map();
    this.tab = newAttemptId();
    this.failures = 0;
    /** @type {ReturnType<typeof setTimeout>|null} */
    this.timer = null;
    /** @type {Promise<number>|null} */
    this.flushing = null;
    if (this.view) this.view.addEventListener("online", () => this.sendSoon(0));
  }

  /** @returns {Grader} */
  grader() {
    return { check: (bundle, responses, attemptId) => this.check(bundle, responses, attemptId) };
  }

  /** @returns {ClassHooks} */
  hooks() {
    return { restore: (bundle) => this.restore(bundle), note: (quizId) => this.afterCheck(quizId) };
  }

  /** @param {string} quizId @param {SentListener} listener */
  listen(quizId, listener) { this.listeners.set(quizId, listener); }

  /** @param {QueuedAttempt} attempt */
  keyOf(attempt) { return OUTBOX_PREFIX + attempt.quiz + ":" + attempt.attemptId; }

  /** What waits to be sent (of one quiz, or all), oldest first. @param {string} [quizId] */
  waiting(quizId) {
    /** @type {QueuedAttempt[]} */
    const found = [];
    for (const key of this.storage.keys()) {
      if (!key.startsWith(OUTBOX_PREFIX)) continue;
      const attempt = readQueued(this.storage.get(key) || "");
      if (attempt && (quizId === undefined || attempt.quiz === quizId) && key === this.keyOf(attempt)) found.push(attempt);
    }
    return found.sort((a, b) => a.queued < b.queued ? -1 : a.queued > b.queued ? 1 : 0);
  }

  /**
   * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses @param {string} attemptId
   * @returns {Promise<Record<string, Graded>>}
   */
  async check(bundle, responses, attemptId) {
    const known = this.known.get(bundle.id);
    if (known && known.attempts_left !== null && known.attempts_left - this.waiting(bundle.id).length <= 0) {
      throw new GradingError("No tries left: this quiz allows " + checksWord(known.policy.tries || 0) +
        ", and the class server has " + (this.waiting(bundle.id).length ? "or will have " : "") + "them all.");
    }
    // What waits goes first: the server numbers attempts in the order it gets them.
    if (this.waiting(bundle.id).length) await this.sendWaiting(false);
    /** @type {QueuedAttempt} */
    const attempt = { attemptId, quiz: bundle.id, version: bundle.version, responses,
      queued: new Date().toISOString() };
    if (!this.waiting(bundle.id).length) {
      try {
        const sent = await this.remote.send(bundle.id, bundle.version, responses, attemptId);
        this.learn(bundle.id, sent.reply);
        this.failures = 0;
        return sent.graded;
      } catch (error) {
        if (!(error instanceof Error && UNREACHABLE.has(error))) throw error;
      }
    }
    if (!this.storage.set(this.keyOf(attempt), JSON.stringify(attempt))) {
      throw new GradingError("The class server cannot be reached, and this browser cannot keep " +
        "the answers either (its storage is full or blocked): they are still in the form; keep this " +
        "page open and check again when you are back online.");
    }
    this.sendSoon();
    throw new GradingError(QUEUED_TEXT);
  }

  /** @param {string} quizId @param {ServerReply} reply */
  learn(quizId, reply) {
    this.lastReply.set(quizId, reply);
    const known = this.known.get(quizId);
    if (known) {
      known.attempts = reply.attempt;
      known.attempts_left = reply.attempts_left;
    }
  }

  /** Try again after a while (sooner after success), while anything waits. @param {number} [delay] */
  sendSoon(delay) {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.waiting().length) return;
    const wait = delay !== undefined ? delay : RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sendWaiting(true).catch(() => { /* said per quiz */ }).finally(() => this.sendSoon());
    }, wait);
  }

  /**
   * Send what waits, oldest first, in one tab at a time. Each is removed once the server has
   * it; the first that cannot reach the server stops the round. `announce`: tell each quiz.
   * @param {boolean} announce @returns {Promise<number>} how many were sent
   */
  sendWaiting(announce) {
    if (this.flushing) return this.flushing;
    this.flushing = this.exclusively(async () => {
      let sent = 0;
      for (const attempt of this.waiting()) {
        if (this.storage.get(this.keyOf(attempt)) === null) continue;  // another tab sent it
        const listener = announce ? this.listeners.get(attempt.quiz) : undefined;
        try {
          const done = await this.remote.send(attempt.quiz, attempt.version, attempt.responses, attempt.attemptId);
          this.storage.remove(this.keyOf(attempt));
          this.learn(attempt.quiz, done.reply);
          this.failures = 0;
          sent++;
          if (listener) {
            listener(attempt.responses, done.graded, "Sent: the answers saved on this device reached the class server.");
          }
        } catch (error) {
          if (error instanceof Error && UNREACHABLE.has(error)) {
            this.failures++;
            break;
          }
          // Refused for good (no tries left, the quiz changed since): never sent again.
          this.storage.remove(this.keyOf(attempt));
          const said = error instanceof Error ? error.message : String(error);
          const listenerOf = this.listeners.get(attempt.quiz);
          if (listenerOf) listenerOf(null, null, "The answers saved on this device were not taken: " + said);
        }
      }
      return sent;
    }).finally(() => { this.flushing = null; });
    return this.flushing;
  }

  /**
   * Run `job` unless another tab of the book is sending (then nothing: it sends for all).
   * @param {() => Promise<number>} job @returns {Promise<number>}
   */
  async exclusively(job) {
    const locks = this.view && this.view.navigator && this.view.navigator.locks;
    if (locks) {
      return locks.request("quizbook-outbox", { ifAvailable: true }, (lock) => lock ? job() : 0);
    }
    /** @returns {{tab: string, until: number}|null} */
    const lease = () => {
      try {
        const value = JSON.parse(this.storage.get(LEASE_KEY) || "null");
        return isPlainObject(value) && typeof value.tab === "string" && typeof value.until === "number"
          ? /** @type {{tab: string, until: number}} */ (value) : null;
      } catch (_) { return null; }
    };
    const held = lease();
    if (held && held.tab !== this.tab && held.until > Date.now()) return 0;
    if (!this.storage.set(LEASE_KEY, JSON.stringify({ tab: this.tab, until: Date.now() + LEASE_MS }))) return job();
    await new Promise((resolve) => setTimeout(resolve, 150));  // a tab that wrote at once wins
    const mine = lease();
    if (!mine || mine.tab !== this.tab) return 0;
    try { return await job(); } finally {
      const still = lease();
      if (still && still.tab === this.tab) this.storage.remove(LEASE_KEY);
    }
  }

  /**
   * What the page shows when it opens: first what waits is sent, then the server's answers.
   * @param {Bundle} bundle @returns {Promise<Restored>}
   */
  async restore(bundle) {
    let sent = 0;
    if (this.waiting(bundle.id).length) sent = await this.sendWaiting(false).catch(() => 0);
    const waiting = this.waiting(bundle.id);
    const pending = waiting.length ? waiting[waiting.length - 1].responses : null;
    let saved;
    try {
      saved = await this.remote.answers(bundle.id);
    } catch (error) {
      if (waiting.length) this.sendSoon();
      if (!(error instanceof Error && UNREACHABLE.has(error))) throw error;
      return { responses: null, graded: null, pending, note: pending ? QUEUED_TEXT
        : "The class server cannot be reached: your answers will be kept on this device until it answers again." };
    }
    this.known.set(bundle.id, saved);
    const last = saved.last;
    const notes = [];
    if (sent) notes.push("Sent: the answers saved on this device reached the class server.");
    if (last) {
      notes.push("Your answers on the class server are back (attempt " + last.attempt + ", " +
        new Date(last.received_at).toLocaleString() + (last.late ? ", late" : "") + ").");
    }
    notes.push(this.standing(bundle.id));
    if (pending) {
      notes.push("Answers saved on this device are waiting to be sent (" + checksWord(waiting.length) + ").");
      this.sendSoon(0);
    }
    return { responses: last ? last.responses : null,
      graded: last && last.reply ? readServerReply(last.reply) : null, pending,
      note: notes.filter(Boolean).join(" ") };
  }

  /** Where the student stands: tries left, closed, when marks show. @param {string} quizId */
  standing(quizId) {
    const known = this.known.get(quizId);
    if (!known) return "";
    const words = [];
    if (known.closed) {
      words.push("This quiz is closed: answers sent now are stored and marked late, and " +
        (known.policy.late_counts ? "they can count." : "they do not count."));
    }
    if (known.attempts_left !== null) {
      words.push(known.attempts_left === 0 ? "No tries left." :
        (known.attempts_left === 1 ? "1 try left." : known.attempts_left + " tries left."));
    }
    if (!known.policy.marks_before_close && !known.closed) {
      words.push("Which options are right, and the explanations of what is not, are shown when the quiz closes.");
    }
    return words.join(" ");
  }

  /** After a Check: which attempt it was, late or not, tries left. @param {string} quizId */
  afterCheck(quizId) {
    const reply = this.lastReply.get(quizId);
    if (!reply) return "";
    const known = this.known.get(quizId);
    const lateCounts = !!known && known.policy.late_counts;
    return "Attempt " + reply.attempt + " is stored on the class server." +
      (reply.late ? " It arrived after the quiz closed: it is marked late and " +
        (lateCounts ? "can count." : "does not count.") : "") +
      (reply.attempts_left === null ? "" : reply.attempts_left === 0 ? " No tries left." :
        reply.attempts_left === 1 ? " 1 try left." : " " + reply.attempts_left + " tries left.");
  }
}
