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
/**
 * Errors after which the attempt is kept and sent again: the server never had it (no
 * connection, a proxy without its server, a 500: "the answer was not stored"), or the
 * session ended (401: sent once the student has joined again).
 */
const UNREACHABLE = /** @type {WeakSet<Error>} */ (new WeakSet());
const NOT_JOINED = /** @type {WeakSet<Error>} */ (new WeakSet());
/** @param {GradingError} error @returns {GradingError} */
const unreachable = (error) => { UNREACHABLE.add(error); return error; };
/** @param {unknown} error @returns {boolean} */
const worthResending = (error) => error instanceof Error && (UNREACHABLE.has(error) || NOT_JOINED.has(error));

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
      const refused = new GradingError("The class server refused the answers (HTTP " + reply.status + ")." + said);
      if (reply.status === 401) NOT_JOINED.add(refused);
      if (reply.status === 500) UNREACHABLE.add(refused);
      throw refused;
    }
    const checked = readServerReply(body);
    const whole = /** @type {ServerReply} */ (body);
    if (this.onReply) this.onReply(whole);
    return { graded: checked, reply: whole };
  }

  /**
   * Who is joined (`GET /api/me`): their name, or "" when the server does not know them.
   * @returns {Promise<string>}
   */
  async me() {
    let reply;
    try {
      reply = await this.fetch(this.api + "me", {
        method: "GET", credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (_) {
      throw unreachable(new GradingError("The class server cannot be reached."));
    }
    if (reply.status === 401) return "";
    /** @type {unknown} */
    let body = null;
    try { body = await reply.json(); } catch (_) { /* below */ }
    if (!reply.ok || !isPlainObject(body) || !isPlainObject(body.student) || typeof body.student.name !== "string") {
      throw unreachable(new GradingError("The class server did not say who is joined (HTTP " + reply.status + ")."));
    }
    return body.student.name;
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
    if (RESEND_STATUSES.includes(reply.status) || reply.status === 500) {
      throw unreachable(new GradingError("The class server is not answering (HTTP " + reply.status + ")."));
    }
    if (!reply.ok || !isPlainObject(body) || typeof body.attempts !== "number" || !isPlainObject(body.policy)) {
      const said = isPlainObject(body) && typeof body.error === "string" ? " " + body.error : "";
      const refused = new GradingError("The class server did not give your saved answers (HTTP " +
        reply.status + ")." + said);
      if (reply.status === 401) NOT_JOINED.add(refused);
      throw refused;
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
 * `student`: who was joined when it was made (`GET /api/me`; "" when the server could not
 * say): another student joined in this browser never sends it under their name.
 * @typedef {{attemptId: string, quiz: string, version: string, student: string,
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
 * A Check that was answered after it waited on this device; or, with `graded` null, news
 * about one (the server refused it for good, the session ended): the note says what.
 * @typedef {(responses: Record<string, StudentResponse>|null, graded: Record<string, Graded>|null,
 *   note: string) => void} SentListener
 */
/** What a round of sending did. @typedef {{sent: number, refused: {attempt: QueuedAttempt, why: string}[]}} SendRound */

const OUTBOX_PREFIX = STORAGE_PREFIX + "outbox:";
/** Without Web Locks (http:// on a classroom network is no secure context): a lease in storage. */
const LEASE_KEY = STORAGE_PREFIX + "outbox-lease";
const LEASE_MS = 30000;
/** Waits between tries to send what waits, growing while the server stays away. */
const RETRY_MS = [2000, 5000, 10000, 20000, 30000];

const NOT_JOINED_TEXT = "You are not in the class any more in this browser (the session ended): join " +
  "again with your name and personal code, then open this page again. Your answers are saved on " +
  "this device and will be sent then.";
const QUEUED_TEXT = "The class server cannot be reached: your answers are still here, saved on this " +
  "device, and will be sent by themselves when the connection is back (keep this page open, or " +
  "open it again later).";

/** @param {string} text @returns {QueuedAttempt|null} */
function readQueued(text) {
  try {
    const value = JSON.parse(text);
    if (isPlainObject(value) && typeof value.attemptId === "string" && typeof value.quiz === "string" &&
        typeof value.version === "string" && typeof value.student === "string" &&
        isPlainObject(value.responses) && typeof value.queued === "string") {
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
    /** Who is joined in this browser, as `GET /api/me` said ("" until it has). */
    this.student = "";
    /** @type {Promise<string>|null} */
    this.asked = null;
    this.tab = newAttemptId();
    this.failures = 0;
    /** @type {ReturnType<typeof setTimeout>|null} */
    this.timer = null;
    /** @type {Promise<SendRound>|null} */
    this.sending = null;
    /** @type {Map<string, () => void>} */
    this.refreshers = new Map();
    if (this.view) {
      this.view.addEventListener("online", () => this.sendSoon(0));
      // Another tab sent (or gave back) a waiting Check: show what the server has now.
      this.view.addEventListener("storage", (event) => {
        if (!event.key || !event.key.startsWith(OUTBOX_PREFIX) || event.newValue !== null) return;
        const quizId = event.key.slice(OUTBOX_PREFIX.length, event.key.lastIndexOf(":"));
        const refresh = this.refreshers.get(quizId);
        if (refresh) refresh();
      });
    }
  }

  /** @returns {Grader} */
  grader() {
    return { check: (bundle, responses, attemptId) => this.check(bundle, responses, attemptId) };
  }

  /** @returns {ClassHooks} */
  hooks() {
    return { restore: (bundle) => this.restore(bundle), note: (quizId) => this.afterCheck(quizId) };
  }

  /**
   * @param {string} quizId @param {SentListener} listener
   * @param {() => void} [refresh] show the server's answers again (another tab sent some)
   */
  listen(quizId, listener, refresh) {
    this.listeners.set(quizId, listener);
    if (refresh) this.refreshers.set(quizId, refresh);
  }

  /** Who is joined (asked once per page; "" when the server cannot say). @returns {Promise<string>} */
  whoIsJoined() {
    if (!this.asked) {
      this.asked = this.remote.me().then((name) => { this.student = name; return name; },
        () => { this.asked = null; return this.student; });
    }
    return this.asked;
  }

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

  /** What waits and may be sent by whoever is joined now. @param {string} [quizId] */
  sendable(quizId) {
    return this.waiting(quizId).filter((a) => !a.student || !this.student || a.student === this.student);
  }

  /**
   * @param {Bundle} bundle @param {Record<string, StudentResponse>} responses @param {string} attemptId
   * @returns {Promise<Record<string, Graded>>}
   */
  async check(bundle, responses, attemptId) {
    const known = this.known.get(bundle.id);
    const queued = this.sendable(bundle.id).length;
    if (known && known.attempts_left !== null && known.attempts_left - queued <= 0) {
      throw new GradingError("No tries left: this quiz allows " + checksWord(known.policy.tries || 0) +
        (queued ? ", and with the answers waiting on this device the class server will have them all." :
          ", and the class server has them all."));
    }
    // What waits goes first: the server numbers attempts in the order it gets them.
    if (queued) await this.sendWaiting(false);
    /** @type {QueuedAttempt} */
    const attempt = { attemptId, quiz: bundle.id, version: bundle.version, student: this.student,
      responses, queued: new Date().toISOString() };
    let why = QUEUED_TEXT;
    if (!this.sendable(bundle.id).length) {
      try {
        const sent = await this.remote.send(bundle.id, bundle.version, responses, attemptId);
        this.learn(bundle.id, sent.reply);
        this.failures = 0;
        return sent.graded;
      } catch (error) {
        if (!worthResending(error)) throw error;
        if (error instanceof Error && NOT_JOINED.has(error)) why = NOT_JOINED_TEXT;
      }
    }
    if (!this.storage.set(this.keyOf(attempt), JSON.stringify(attempt))) {
      throw new GradingError("The class server did not get the answers, and this browser cannot keep " +
        "them either (its storage is full or blocked): they are still in the form; keep this page " +
        "open and check again in a moment.");
    }
    this.sendSoon();
    throw new GradingError(why);
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
   * it, or once it refused it for good (its answers go back into the quiz's form, with why);
   * the first that cannot reach the server ends the round. `announce`: show each sent one.
   * @param {boolean} announce @returns {Promise<SendRound>}
   */
  sendWaiting(announce) {
    if (this.sending) return this.sending;
    this.sending = this.exclusively(async () => {
      /** @type {SendRound} */
      const round = { sent: 0, refused: [] };
      if (!this.waiting().length) return round;
      await this.whoIsJoined();
      for (const attempt of this.sendable()) {
        if (this.storage.get(this.keyOf(attempt)) === null) continue;  // another tab sent it
        const listener = this.listeners.get(attempt.quiz);
        try {
          const done = await this.remote.send(attempt.quiz, attempt.version, attempt.responses, attempt.attemptId);
          this.storage.remove(this.keyOf(attempt));
          this.learn(attempt.quiz, done.reply);
          this.failures = 0;
          round.sent++;
          if (announce && listener) {
            listener(attempt.responses, done.graded, "Sent: the answers saved on this device reached the class server.");
          }
        } catch (error) {
          if (worthResending(error)) {
            this.failures++;
            if (listener && error instanceof Error && NOT_JOINED.has(error)) listener(null, null, NOT_JOINED_TEXT);
            break;
          }
          // Refused for good (no tries left, the quiz changed since): never sent again.
          this.storage.remove(this.keyOf(attempt));
          const why = "The answers saved on this device were not taken, and are back in the form: " +
            (error instanceof Error ? error.message : String(error));
          round.refused.push({ attempt, why });
          if (announce && listener) listener(attempt.responses, null, why);
        }
      }
      return round;
    }).finally(() => { this.sending = null; });
    return this.sending;
  }

  /**
   * Run `job` unless another tab of the book is sending (then nothing: it sends for all).
   * @param {() => Promise<SendRound>} job @returns {Promise<SendRound>}
   */
  async exclusively(job) {
    /** @type {SendRound} */
    const none = { sent: 0, refused: [] };
    const locks = this.view && this.view.navigator && this.view.navigator.locks;
    if (locks) {
      return locks.request("quizbook-outbox", { ifAvailable: true }, (lock) => lock ? job() : none);
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
    if (held && held.tab !== this.tab && held.until > Date.now()) return none;
    if (!this.storage.set(LEASE_KEY, JSON.stringify({ tab: this.tab, until: Date.now() + LEASE_MS }))) return job();
    await new Promise((resolve) => setTimeout(resolve, 150));  // of two tabs that took it, the later wins
    const mine = lease();
    if (!mine || mine.tab !== this.tab) return none;
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
    const asking = this.whoIsJoined();
    /** @type {SendRound} */
    let round = { sent: 0, refused: [] };
    if (this.waiting(bundle.id).length) round = await this.sendWaiting(false).catch(() => round);
    const refused = round.refused.filter((r) => r.attempt.quiz === bundle.id);
    const waiting = this.waiting(bundle.id);
    const last = waiting.length ? waiting[waiting.length - 1] : refused.length ? refused[refused.length - 1].attempt : null;
    const pending = last ? last.responses : null;
    if (waiting.length) this.sendSoon();
    let saved;
    try {
      saved = await this.remote.answers(bundle.id);
    } catch (error) {
      if (error instanceof Error && NOT_JOINED.has(error)) {
        return { responses: null, graded: null, pending, note: NOT_JOINED_TEXT };
      }
      if (!worthResending(error)) throw error;
      return { responses: null, graded: null, pending, note: pending ? QUEUED_TEXT
        : "The class server cannot be reached: answers you check are kept on this device until it answers again." };
    }
    this.known.set(bundle.id, saved);
    await asking;
    const notes = [];
    if (round.sent) notes.push("Sent: the answers saved on this device reached the class server.");
    notes.push(...refused.map((r) => r.why));
    if (saved.last) {
      notes.push("Your answers on the class server are back (attempt " + saved.last.attempt + ", " +
        new Date(saved.last.received_at).toLocaleString() + (saved.last.late ? ", late" : "") + ").");
    }
    notes.push(this.standing(bundle.id));
    const others = waiting.filter((a) => a.student && this.student && a.student !== this.student);
    if (others.length) {
      notes.push("Answers another student checked in this browser wait here until they join again.");
    }
    if (waiting.length > others.length) {
      notes.push("Answers saved on this device are waiting to be sent (" + checksWord(waiting.length - others.length) + ").");
    }
    return { responses: saved.last ? saved.last.responses : null,
      graded: saved.last && saved.last.reply ? readServerReply(saved.last.reply) : null,
      pending: waiting.length > others.length || refused.length ? pending : null,
      note: notes.filter(Boolean).join(" ") };
  }

  /** Where the student stands: tries left, the counted attempt, closed, when marks show. @param {string} quizId */
  standing(quizId) {
    const known = this.known.get(quizId);
    if (!known) return "";
    const words = [];
    if (known.closed) {
      words.push("This quiz is closed: answers sent now are stored and marked late, and " +
        (known.policy.late_counts ? "they can count." : "they do not count."));
    }
    if (known.counted && known.attempts > 1) {
      words.push("The attempt that counts is attempt " + known.counted.attempt + " (" +
        formatPoints(known.counted.score) + " / " + formatPoints(known.counted.max) + " points).");
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

/**
 * A quiz of a class server's page: `received` shows how the server graded a Check sent later
 * from this device's queue (or only says why it was refused: `graded` null; the form is left
 * as it is, and feedback shows under the questions the student has not changed since);
 * `restore` puts the answers the server has, graded as they read now, in the form, answers
 * still waiting on this device last (they are newer). Class mode only: the book's other
 * pages do not carry this code.
 * @param {QuizInside} quiz @param {ClassHooks} hooks
 * @returns {{received: SentListener, restore: () => void}}
 */
function mountClassQuiz(quiz, hooks) {
  const { bundle, say } = quiz;
  /** Put answers in the controls, without feedback. @param {Record<string, StudentResponse>} responses */
  const writeResponses = (responses) => {
    for (const question of bundle.questions) {
      quiz.write(question, question.id in responses ? responses[question.id] : null);
      quiz.clearFeedback(question);
    }
  };
  /** @type {SentListener} */
  const received = (responses, graded, note) => {
    if (!responses || !graded) {
      say(note);
      return;
    }
    const sent = responses;
    const edited = bundle.questions.filter((question) =>
      JSON.stringify(quiz.readResponse(question)) !== JSON.stringify(question.id in sent ? sent[question.id] : null));
    const kept = quiz.keepGraded(quiz.record(), responses, graded);
    edited.forEach(quiz.clearFeedback);
    say(note + " " + quiz.checkedText(kept) + " " + hooks.note(bundle.id) +
      (edited.length ? " You have changed question " + listed(edited.map((q) => quiz.numberOf(q.id))) +
        " since: check again to send the new answers." : ""));
  };
  const restore = () => {
    hooks.restore(bundle).then((found) => {
      if (found.responses) writeResponses(found.responses);
      if (found.responses && found.graded) quiz.keepGraded(null, found.responses, found.graded, false);
      if (found.pending) writeResponses(found.pending);
      say(found.note);
    }, (error) => say(quiz.problemText(error)));
  };
  return { received, restore };
}
