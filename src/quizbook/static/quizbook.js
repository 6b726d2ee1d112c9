// @ts-check
// quizbook browser runtime: grades quizzes offline, saves results locally.
// Data comes from <script type="application/json" data-quizbook-bundle>; the
// markup is rendered at build time (quizbook.sphinx) and enhanced here.
// Grading mirrors quizbook.grade / quizbook.answers exactly (tests/test_js_grader_parity.py).
"use strict";
(function () {
  /** @typedef {{id: string, text?: string, check?: string}} Choice */
  /** @typedef {{id: string, type: string, points: number, salt: string, prompt: string,
   *   options?: Choice[], items?: Choice[], lefts?: Choice[], rights?: Choice[],
   *   accept?: string[], case_sensitive?: boolean, normalize?: boolean, unit?: string|null,
   *   sealed: Record<string, string>}} Question */
  /** @typedef {{id: string, lesson: string, title: string, version: string, questions: Question[]}} Bundle */
  /** @typedef {{points: number, max: number, correct: boolean, parts: Record<string, boolean>,
   *   feedback: string[], answered: boolean}} Outcome */
  /** @typedef {{points: number, max: number, correct: boolean, attempts: number}} Saved */
  /** @typedef {{v: number, version: string, attempts: number, first: string, last: string,
   *   responses: Record<string, any>, outcomes: Record<string, Saved>}} Rec */

  // ---- SHA-256 (crypto.subtle is missing on plain-http pages) ----
  /** @type {number[]} */ const K = [];
  /** @type {number[]} */ const H0 = [];
  for (let n = 2, i = 0; i < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (!prime) continue;
    if (i < 8) H0[i] = (Math.pow(n, 1 / 2) * 4294967296) | 0;
    K[i++] = (Math.pow(n, 1 / 3) * 4294967296) | 0;
  }
  /** @param {Uint8Array} data @returns {Uint8Array} */
  function sha256(data) {
    const len = data.length, size = ((len + 72) >> 6) << 6, m = new Uint8Array(size);
    m.set(data); m[len] = 128;
    const dv = new DataView(m.buffer);
    dv.setUint32(size - 8, Math.floor(len / 536870912)); dv.setUint32(size - 4, len * 8);
    const h = H0.slice(), w = new Array(64);
    for (let o = 0; o < size; o += 64) {
      for (let t = 0; t < 64; t++) {
        if (t < 16) w[t] = dv.getInt32(o + t * 4);
        else {
          const a = w[t - 15], b = w[t - 2];
          w[t] = (w[t - 16] + ((a >>> 7 | a << 25) ^ (a >>> 18 | a << 14) ^ (a >>> 3)) + w[t - 7] +
            ((b >>> 17 | b << 15) ^ (b >>> 19 | b << 13) ^ (b >>> 10))) | 0;
        }
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let t = 0; t < 64; t++) {
        const t1 = (hh + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) +
          ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        const t2 = (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) +
          ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      [a, b, c, d, e, f, g, hh].forEach((x, j) => { h[j] = (h[j] + x) | 0; });
    }
    const out = new Uint8Array(32), ov = new DataView(out.buffer);
    h.forEach((x, j) => ov.setInt32(j * 4, x));
    return out;
  }
  const utf8 = new TextEncoder();
  /** @param {string} s */
  const sha256Hex = (s) => Array.from(sha256(utf8.encode(s)), (x) => (x + 256).toString(16).slice(1)).join("");
  /** @param {string} salt @param {string} qid @param {string} value */
  const digest = (salt, qid, value) => sha256Hex(salt + "|" + qid + "|" + value).slice(0, 32);
  /** @param {string} salt @param {string} qid @param {string} name @param {string} sealed */
  function unseal(salt, qid, name, sealed) {
    const data = Uint8Array.from(atob(sealed), (ch) => ch.charCodeAt(0));
    for (let i = 0; i < data.length; i += 32) {
      const block = sha256(utf8.encode(salt + "|" + qid + "|" + name + "|" + i / 32));
      for (let j = 0; j < 32 && i + j < data.length; j++) data[i + j] ^= block[j];
    }
    return new TextDecoder().decode(data);
  }

  // ---- typed answers (quizbook/answers.py) ----
  const SPACE = /[\t\n\r\f\v\p{Zs}\p{Zl}\p{Zp}]/u;
  /** @param {string} s */
  const trim = (s) => {
    const c = Array.from(s);
    while (c.length && SPACE.test(c[0])) c.shift();
    while (c.length && SPACE.test(c[c.length - 1])) c.pop();
    return c.join("");
  };
  /** Python's str.strip() whitespace. @param {any} s */
  const blank = (s) => typeof s !== "string" || /^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(s);
  /** @param {string} text @param {boolean} caseSensitive @param {boolean} normalize */
  function normaliseAnswer(text, caseSensitive, normalize) {
    if (!caseSensitive) text = text.toLowerCase();
    if (!normalize) return trim(text);
    const kept = text.normalize("NFKD").replace(/\p{M}/gu, "").replace(/\p{P}/gu, " ");
    return kept.split(/[\t\n\r\f\v\p{Zs}\p{Zl}\p{Zp}]+/u).filter(Boolean).join(" ");
  }
  /** Python's \d and float() accept every Unicode decimal digit; map them to 0-9.
   * @param {string} s */
  const asciiDigits = (s) => s.replace(/\p{Nd}/gu, (ch) => {
    let cp = /** @type {number} */ (ch.codePointAt(0)), n = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(cp - n - 1))) n++;
    return String(n % 10);
  });
  /** @param {string} text @param {string|null|undefined} unit @returns {number|null} */
  function parseNumber(text, unit) {
    let s = Array.from(text).filter((ch) => !SPACE.test(ch)).join("");
    const u = Array.from(unit || "").filter((ch) => !SPACE.test(ch)).join("");
    if (u && s.toLowerCase().endsWith(u.toLowerCase())) s = s.slice(0, s.length - u.length);
    if (/^[+-]?\p{Nd}{1,3}(,\p{Nd}{3})+(\.\p{Nd}+)?$/u.test(s)) s = s.replace(/,/g, "");
    else if (/^[+-]?\p{Nd}+,\p{Nd}+$/u.test(s)) s = s.replace(",", ".");
    if (!/^[+-]?(\p{Nd}+(\.\p{Nd}*)?|\.\p{Nd}+)$/u.test(s)) return null;
    const value = Number(asciiDigits(s));
    return Number.isFinite(value) ? value : null;
  }
  /** @param {string} pattern @param {string} text @param {boolean} caseSensitive */
  function patternMatches(pattern, text, caseSensitive) {
    try {
      return new RegExp("^(?:" + pattern + ")$", caseSensitive ? "u" : "iu").test(trim(text));
    } catch (_) { return false; }
  }

  // ---- grading (quizbook/grade.py, on the student bundle) ----
  /** @param {number} max @returns {Outcome} */
  const unanswered = (max) => ({ points: 0, max, correct: false, parts: {}, feedback: [], answered: false });
  /** @param {number} max @param {boolean} ok @returns {Outcome} */
  const rightWrong = (max, ok) => ({ points: ok ? max : 0, max, correct: ok, parts: { answer: ok },
    feedback: [ok ? "correct" : "incorrect"], answered: true });
  /** @param {Question} q @param {Choice} c @param {string} v */
  const has = (q, c, v) => c.check === digest(q.salt, q.id, v);
  /** @param {any} x */
  const isObj = (x) => typeof x === "object" && x !== null && !Array.isArray(x);
  /** @param {Question} q @param {any} r @returns {Outcome} */
  function grade(q, r) {
    const P = q.points, opts = q.options || [], t = q.type;
    if (t === "single" || t === "true_false") {
      const key = t === "single" ? r : r === true ? "true" : r === false ? "false" : null;
      const o = typeof key === "string" ? opts.find((x) => x.id === key) : undefined;
      if (!o) return unanswered(P);
      const ok = has(q, o, "opt:" + o.id + ":1");
      return { points: ok ? P : 0, max: P, correct: ok, parts: t === "single" ? { [o.id]: ok } : { answer: ok },
        feedback: [o.id], answered: true };
    }
    if (t === "multiple") {
      if (!Array.isArray(r) || !r.every((x) => typeof x === "string")) return unanswered(P);
      const sel = opts.filter((o) => r.includes(o.id));
      if (!sel.length) return unanswered(P);
      const right = opts.map((o) => has(q, o, "opt:" + o.id + ":1"));
      const nCorrect = right.filter(Boolean).length;
      const hits = sel.filter((o) => right[opts.indexOf(o)]).length, fa = sel.length - hits;
      let fraction = hits / nCorrect - fa / (opts.length - nCorrect);
      if (fraction < 0) fraction = 0;
      /** @type {Record<string, boolean>} */ const parts = {};
      sel.forEach((o) => { parts[o.id] = right[opts.indexOf(o)]; });
      return { points: P * fraction, max: P, correct: hits === nCorrect && fa === 0, parts,
        feedback: sel.map((o) => o.id), answered: true };
    }
    if (t === "short_text") {
      if (blank(r)) return unanswered(P);
      const cs = !!q.case_sensitive, norm = q.normalize !== false;
      const ok = (q.accept || []).includes(digest(q.salt, q.id, "ans:" + normaliseAnswer(r, cs, norm))) ||
        (!!q.sealed.pattern && patternMatches(unseal(q.salt, q.id, "pattern", q.sealed.pattern), r, cs));
      return rightWrong(P, ok);
    }
    if (t === "numeric") {
      if (blank(r)) return unanswered(P);
      const v = parseNumber(r, q.unit), range = JSON.parse(unseal(q.salt, q.id, "range", q.sealed.range));
      return rightWrong(P, v !== null && range[0] <= v && v <= range[1]);
    }
    const ordering = t === "ordering", list = (ordering ? q.items : q.lefts) || [];
    if (!isObj(r)) return unanswered(P);
    /** @type {Record<string, any>} */ const chosen = {};
    for (const c of list) {
      const v = Object.prototype.hasOwnProperty.call(r, c.id) ? r[c.id] : undefined;
      if (ordering ? Number.isInteger(v) : typeof v === "string" && v !== "") chosen[c.id] = v;
    }
    if (!Object.keys(chosen).length) return unanswered(P);
    /** @type {Record<string, number>} */ const claims = {};
    Object.values(chosen).forEach((v) => { claims[v] = (claims[v] || 0) + 1; });
    /** @type {Record<string, boolean>} */ const parts = {};
    let right = 0;
    for (const c of list) {
      const v = chosen[c.id];
      parts[c.id] = v !== undefined && has(q, c, (ordering ? "pos:" : "pair:") + c.id + ":" + v) &&
        (!ordering || claims[v] === 1);
      if (parts[c.id]) right++;
    }
    return { points: P * (right / list.length), max: P, correct: right === list.length, parts,
      feedback: [right === list.length ? "correct" : "incorrect"], answered: true };
  }

  const api = { sha256Hex, digest, unseal, normaliseAnswer, parseNumber, patternMatches, grade };
  if (typeof module !== "undefined" && module) { module.exports = api; return; }

  // ---- page ----
  const PREFIX = "quizbook:v1:", STUDENT = PREFIX + "student";
  /** A saved quiz record is a few kilobytes; a far larger one was not written by this runtime. */
  const MAX_RECORD = 200000;
  const store = {
    /** @param {string} k */
    get(k) { try { return localStorage.getItem(k); } catch (_) { return null; } },
    /** @param {string} k @param {string} v */
    set(k, v) { try { localStorage.setItem(k, v); return true; } catch (_) { return false; } },
  };
  /** @param {number} x */
  const fmt = (x) => String(Math.round(x * 100) / 100);
  /** @param {ParentNode} el @param {string} sel @returns {HTMLElement[]} */
  const $$ = (el, sel) => Array.from(el.querySelectorAll(sel));
  /** @param {string} tag @param {string} cls @param {string} [html] */
  function el(tag, cls, html) {
    const e = document.createElement(tag);
    e.className = cls;
    if (html !== undefined) e.innerHTML = html;
    return e;
  }
  /** @param {any} x */
  const count = (x) => Number.isInteger(x) && x >= 0;
  /** A record this runtime wrote for this quiz version: right shape, and no outcome above
   * its maximum or outcomes worth more than the quiz (an edited or forged record is not).
   * @param {any} rec @param {string} version @param {number} max */
  function usable(rec, version, max) {
    if (!(isObj(rec) && rec.v === 1 && rec.version === version && isObj(rec.responses) &&
        isObj(rec.outcomes) && count(rec.attempts) && typeof rec.first === "string" &&
        typeof rec.last === "string" && !isNaN(Date.parse(rec.last)))) return false;
    let sum = 0;
    for (const o of Object.values(rec.outcomes)) {
      if (!isObj(o) || typeof o.points !== "number" || typeof o.max !== "number" ||
          !(o.points >= 0 && o.points <= o.max) || typeof o.correct !== "boolean" ||
          !count(o.attempts)) return false;
      sum += o.max;
    }
    return sum <= max + 1e-9;
  }
  /** The saved record of a quiz, or null; a bad, forged or outdated one is set aside
   * (under `<key>:stale`, or `<key>:stale:<time>` if that is taken: never lost).
   * @param {string} id @param {string} version @param {number} max
   * @returns {{rec: Rec|null, stale: boolean}} */
  function loadRecord(id, version, max) {
    const key = PREFIX + "quiz:" + id, raw = store.get(key);
    if (raw === null) return { rec: null, stale: false };
    try {
      const rec = raw.length > MAX_RECORD ? null : JSON.parse(raw);
      if (usable(rec, version, max)) return { rec, stale: false };
    } catch (_) { /* set aside below */ }
    const aside = store.get(key + ":stale") === null ? key + ":stale" : key + ":stale:" + Date.now();
    if (store.set(aside, raw)) {
      try { localStorage.removeItem(key); } catch (_) { /* storage unavailable */ }
    }
    return { rec: null, stale: true };
  }
  /** @param {Rec} rec */
  function total(rec) {
    let s = 0, m = 0;
    Object.values(rec.outcomes).forEach((o) => { s += Number(o.points) || 0; m += Number(o.max) || 0; });
    return [s, m];
  }
  /** @param {string} quiz @param {string} lesson @param {Rec} rec @param {number} max */
  const quizResult = (quiz, lesson, rec, max) => ({
    quiz, lesson, version: rec.version, score: Math.min(total(rec)[0], max), max, attempts: rec.attempts,
    first_attempt: rec.first, last_attempt: rec.last,
    questions: Object.keys(rec.outcomes).map((id) => {
      const o = rec.outcomes[id];
      return { id, points: o.points, max: o.max, correct: o.correct, attempts: o.attempts,
        response: rec.responses[id] === undefined ? null : rec.responses[id] };
    }),
  });
  /** @param {object[]} quizzes @param {string} name */
  function download(quizzes, name) {
    const student = (/** @type {HTMLInputElement|null} */ (document.querySelector("[data-quizbook-student]")) || { value: "" }).value.trim();
    const data = { format: "quizbook-results/1", student, exported_at: new Date().toISOString(), source: "book", quizzes };
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" }));
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }
  /** @param {HTMLElement} root */
  function studentField(root) {
    $$(root, "[data-quizbook-student]").forEach((inp) => {
      const i = /** @type {HTMLInputElement} */ (inp);
      i.value = store.get(STUDENT) || "";
      i.addEventListener("input", () => store.set(STUDENT, i.value));
    });
  }
  /** @param {HTMLElement} root */
  function reveal(root) {
    $$(root, ".qb-nojs").forEach((e) => e.remove());
    $$(root, "[data-qb-js]").forEach((e) => { e.hidden = false; });
  }

  /** @param {HTMLElement} root */
  function setupQuiz(root) {
    const data = root.querySelector("script[data-quizbook-bundle]");
    if (!data) return;
    /** @type {Bundle} */ const b = JSON.parse(data.textContent || "{}");
    const key = PREFIX + "quiz:" + b.id;
    const scoreEl = /** @type {HTMLElement} */ (root.querySelector("[data-quizbook-score]"));
    const status = /** @type {HTMLElement} */ (root.querySelector(".qb-status"));
    const max = Number(scoreEl.dataset.max);
    const loaded = loadRecord(b.id, b.version, max);
    /** @type {Rec|null} */ let rec = loaded.rec;
    /** @type {Record<string, string>} */ const checked = {};
    reveal(root); studentField(root);
    if (loaded.stale) say("Your saved answers were for an older version of this quiz or could not be read; the quiz starts fresh.");
    /** @param {string} text */
    function say(text) { status.textContent = text; }
    /** @param {string} qid */
    const fs = (qid) => /** @type {HTMLElement} */ (root.querySelector('[data-question-id="' + qid + '"]'));
    /** @param {Question} q */
    function read(q) {
      const f = fs(q.id), inputs = /** @type {HTMLInputElement[]} */ ($$(f, "input,select"));
      if (q.type === "single" || q.type === "true_false") {
        const c = inputs.find((i) => i.checked);
        return c ? (q.type === "single" ? c.value : c.value === "true") : null;
      }
      if (q.type === "multiple") return inputs.filter((i) => i.checked).map((i) => i.value);
      if (q.type === "short_text" || q.type === "numeric") return inputs[0].value;
      /** @type {Record<string, string|number>} */ const r = {};
      inputs.forEach((s) => { if (s.value) r[/** @type {string} */ (s.dataset.itemId)] = q.type === "ordering" ? Number(s.value) : s.value; });
      return r;
    }
    /** @param {Question} q @param {any} r */
    function write(q, r) {
      const inputs = /** @type {HTMLInputElement[]} */ ($$(fs(q.id), "input,select"));
      inputs.forEach((i) => {
        if (i.type === "radio") i.checked = i.value === String(r);
        else if (i.type === "checkbox") i.checked = Array.isArray(r) && r.includes(i.value);
        else if (i.dataset.itemId) i.value = isObj(r) && r[i.dataset.itemId] !== undefined ? String(r[i.dataset.itemId]) : "";
        else i.value = typeof r === "string" ? r : "";
      });
    }
    /** @param {Question} q */
    function clear(q) {
      const f = fs(q.id);
      $$(f, ".qb-mark,.qb-ofb").forEach((e) => e.remove());
      $$(f, ".qb-right,.qb-wrong").forEach((e) => e.classList.remove("qb-right", "qb-wrong"));
      /** @type {HTMLElement} */ (f.querySelector(".qb-fb")).textContent = "";
      delete checked[q.id];
    }
    /** @param {Question} q @param {string} name */
    const sealed = (q, name) => (q.sealed[name] ? unseal(q.salt, q.id, name, q.sealed[name]) : "");
    /** @param {Question} q @param {Outcome} o */
    function show(q, o) {
      clear(q);
      const f = fs(q.id), fb = /** @type {HTMLElement} */ (f.querySelector(".qb-fb"));
      const choice = q.type === "single" || q.type === "multiple";
      Object.keys(o.parts).forEach((part) => {
        const host = f.querySelector('[data-part="' + part + '"]');
        if (!host) return;
        const ok = o.parts[part];
        host.classList.add(ok ? "qb-right" : "qb-wrong");
        host.appendChild(el("span", "qb-mark", ok ? "✓ right" : "✗ not right"));
        const text = choice ? sealed(q, "fb:" + part) : "";
        if (text) host.appendChild(el("div", "qb-ofb", text));
      });
      const head = !o.answered ? "Not answered." : o.correct ? "✓ Right." : o.points > 0 ? "◐ Partly right." : "✗ Not right yet.";
      fb.appendChild(el("p", "qb-verdict", head + " " + fmt(o.points) + " / " + fmt(o.max) + " points."));
      if (!choice) o.feedback.forEach((k) => { const t = sealed(q, "fb:" + k); if (t) fb.appendChild(el("p", "", t)); });
      if (o.correct && q.sealed.explanation) fb.appendChild(el("p", "qb-expl", "<strong>Why:</strong> " + sealed(q, "explanation")));
      f.classList.toggle("qb-done", o.correct);
      checked[q.id] = JSON.stringify(read(q));
    }
    /** @param {number} s */
    function score(s) {
      scoreEl.dataset.score = fmt(s);
      scoreEl.textContent = fmt(s) + " / " + fmt(max);
    }
    function check() {
      const now = new Date().toISOString();
      /** @type {Rec} */ const r = rec || { v: 1, version: b.version, attempts: 0, first: now, last: now, responses: {}, outcomes: {} };
      r.attempts++; r.last = now;
      let s = 0, wrong = 0;
      b.questions.forEach((q) => {
        const resp = read(q), o = grade(q, resp), prev = r.outcomes[q.id], same = JSON.stringify(resp) === JSON.stringify(r.responses[q.id]);
        const attempts = (prev ? prev.attempts : 0) + (o.answered && !(same && prev && prev.attempts) ? 1 : 0);
        r.responses[q.id] = resp;
        r.outcomes[q.id] = { points: o.points, max: o.max, correct: o.correct, attempts };
        s += o.points; if (!o.correct) wrong++;
        show(q, o);
      });
      rec = r;
      store.set(key, JSON.stringify(r));
      score(s);
      say("Checked: " + fmt(s) + " / " + fmt(max) + " points. " + (wrong ? wrong + " question(s) not fully right; feedback is under each question." : "All right!"));
    }
    function retry() {
      let first = null;
      for (const q of b.questions) {
        if (rec && rec.outcomes[q.id] && rec.outcomes[q.id].correct) continue;
        clear(q); write(q, null);
        first = first || fs(q.id);
      }
      const target = first && /** @type {HTMLElement|null} */ (first.querySelector("input,select"));
      if (target) target.focus();
      say(first ? "Answers that were not right are cleared: try them again." : "Everything is right already.");
    }
    root.addEventListener("click", (ev) => {
      const t = /** @type {HTMLElement} */ (ev.target).closest("[data-quizbook-action]");
      const act = t && t.getAttribute("data-quizbook-action");
      if (act === "check") check();
      else if (act === "retry") retry();
      else if (act === "download") {
        if (!rec) { say("Check your answers first: there are no results to download yet."); return; }
        download([quizResult(b.id, b.lesson, rec, max)], "results-" + b.id + ".json");
      }
    });
    root.addEventListener("input", (ev) => {
      const f = /** @type {HTMLElement} */ (ev.target).closest("[data-question-id]");
      const q = f && b.questions.find((x) => x.id === f.getAttribute("data-question-id"));
      if (q && checked[q.id] !== undefined && checked[q.id] !== JSON.stringify(read(q))) clear(q);
    });
    if (rec) {
      const r = rec;
      // Scores come from grading the saved answers again, never from the saved numbers.
      Object.keys(r.outcomes).forEach((id) => { if (!b.questions.some((q) => q.id === id)) delete r.outcomes[id]; });
      b.questions.forEach((q) => {
        if (!(q.id in r.responses)) return;
        write(q, r.responses[q.id]);
        if (!(q.id in r.outcomes)) return;
        const o = grade(q, r.responses[q.id]);
        r.outcomes[q.id] = { points: o.points, max: o.max, correct: o.correct, attempts: r.outcomes[q.id].attempts };
        show(q, o);
      });
      score(total(r)[0]);
      if (!loaded.stale) say("Your saved answers are back (" + r.attempts + " check(s), last " + new Date(r.last).toLocaleString() + ").");
    } else score(0);
  }

  /** @param {HTMLElement} root */
  function setupDiscussion(root) {
    $$(root, "textarea[data-quizbook-notes]").forEach((t) => {
      const area = /** @type {HTMLTextAreaElement} */ (t), k = /** @type {string} */ (area.dataset.quizbookNotes);
      area.value = store.get(k) || "";
      area.addEventListener("input", () => store.set(k, area.value));
    });
    reveal(root);
  }

  /** @param {HTMLElement} root */
  function setupProgress(root) {
    const data = root.querySelector("script[data-quizbook-progress]");
    /** @type {{quiz: string, lesson: string, version: string, max: number}[]} */
    const quizzes = JSON.parse((data && data.textContent) || "[]");
    /** @type {object[]} */ const results = [];
    let setAside = 0;
    quizzes.forEach((m) => {
      const row = root.querySelector('[data-progress-quiz="' + m.quiz + '"]');
      const loaded = loadRecord(m.quiz, m.version, m.max), rec = loaded.rec;
      if (loaded.stale) setAside++;
      if (!row || !rec) return;
      const cells = $$(row, "td");
      cells[0].textContent = fmt(Math.min(total(rec)[0], m.max)) + " / " + fmt(m.max);
      cells[1].textContent = String(rec.attempts);
      cells[2].textContent = new Date(rec.last).toLocaleString();
      results.push(quizResult(m.quiz, m.lesson, rec, m.max));
    });
    reveal(root); studentField(root);
    const btn = root.querySelector('[data-quizbook-action="download-all"]');
    const status = /** @type {HTMLElement} */ (root.querySelector(".qb-status"));
    if (setAside) status.textContent = "Saved answers of " + setAside + " quiz(zes) were for an older version or could not be read; they were set aside and those quizzes start fresh.";
    if (btn) btn.addEventListener("click", () => {
      if (!results.length) { status.textContent = "No quiz has been checked in this browser yet."; return; }
      download(results, "quizbook-results.json");
      status.textContent = "Downloaded the results of " + results.length + " quiz(zes).";
    });
  }

  /** @param {string} sel @param {(e: HTMLElement) => void} fn */
  const each = (sel, fn) => $$(document, sel).forEach((e) => {
    try { fn(e); } catch (err) { console.warn("quizbook:", err); }
  });
  function init() {
    each("[data-quizbook-quiz]", setupQuiz);
    each("[data-quizbook-discussion]", setupDiscussion);
    each("[data-quizbook-progress-root]", setupProgress);
    // For `make bench`: the moment every quiz on the page is usable.
    performance.mark("quizbook:ready");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
