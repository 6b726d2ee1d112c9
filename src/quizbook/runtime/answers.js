// @ts-check
// Typed answers: the rules of quizbook/answers.py, character for character
// (tests/test_js_grader_parity.py proves it on generated answers).

/** Python's str.split() / str.strip() white space that JavaScript's \s does not match alike. */
const PYTHON_SPACE = /[\t\n\r\f\v\p{Zs}\p{Zl}\p{Zp}]/u;

/** @param {string} text @returns {string} text without leading and trailing white space */
function trimSpace(text) {
  const chars = Array.from(text);
  while (chars.length && PYTHON_SPACE.test(chars[0])) chars.shift();
  while (chars.length && PYTHON_SPACE.test(chars[chars.length - 1])) chars.pop();
  return chars.join("");
}

/**
 * True for anything that is not a string with some text in it (Python's `not s.strip()`).
 * @param {unknown} value
 */
const isBlank = (value) => typeof value !== "string" ||
  /^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(value);

/**
 * A short answer as it is compared with the accepted ones: Unicode NFKD, no combining
 * marks, lower case (unless case sensitive), punctuation as spaces, spaces collapsed.
 * @param {string} text @param {boolean} caseSensitive @param {boolean} normalize
 */
function normaliseAnswer(text, caseSensitive, normalize) {
  if (!caseSensitive) text = text.toLowerCase();
  if (!normalize) return trimSpace(text);
  const kept = text.normalize("NFKD").replace(/\p{M}/gu, "").replace(/\p{P}/gu, " ");
  return kept.split(/[\t\n\r\f\v\p{Zs}\p{Zl}\p{Zp}]+/u).filter(Boolean).join(" ");
}

/**
 * Python's \d and float() accept every Unicode decimal digit: map each to 0-9.
 * @param {string} text
 */
const asciiDigits = (text) => text.replace(/\p{Nd}/gu, (digit) => {
  const codePoint = /** @type {number} */ (digit.codePointAt(0));
  let below = 0;
  while (/\p{Nd}/u.test(String.fromCodePoint(codePoint - below - 1))) below++;
  return String(below % 10);
});

/** `era: true`: the forms of AD/CE a year may carry (answers.py ERA_FORMS). */
const ERA_FORMS = ["a.d.", "c.e.", "a.d", "c.e", "ad.", "ce.", "ad", "ce"];

/** @param {string} text @returns {string} lower case, without white space */
const compactAnswer = (text) =>
  Array.from(text).filter((ch) => !PYTHON_SPACE.test(ch)).join("").toLowerCase();

/** @param {string[]} forms @returns {string[]} longest first, then in code order (as Python sorts) */
const longestFirst = (forms) => forms.sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));

/**
 * The written forms of accepted words after a number: each word, and each with a full stop.
 * @param {string[]} words @returns {string[]}
 */
function wordForms(words) {
  /** @type {Set<string>} */
  const forms = new Set();
  for (const word of words) {
    const compact = compactAnswer(word);
    if (!compact) continue;
    forms.add(compact);
    if (!compact.endsWith(".")) forms.add(compact + ".");
  }
  return longestFirst(Array.from(forms));
}

/** @param {string} compact @returns {number|null} */
function plainNumber(compact) {
  let number = compact;
  if (/^[+-]?\p{Nd}{1,3}(,\p{Nd}{3})+(\.\p{Nd}+)?$/u.test(number)) number = number.replace(/,/g, "");
  else if (/^[+-]?\p{Nd}+,\p{Nd}+$/u.test(number)) number = number.replace(",", ".");
  if (!/^[+-]?(\p{Nd}+(\.\p{Nd}*)?|\.\p{Nd}+)$/u.test(number)) return null;
  const value = Number(asciiDigits(number));
  return Number.isFinite(value) ? value : null;
}

/**
 * The number a student typed, or null when the text is not one (the student is then asked
 * for just the number): "1,000" and "1000" are 1000, "3,5" is 3.5; at most one accepted word
 * may go with it: after it the unit or one of `units` (with an optional full stop), and with
 * `era` AD or CE before or after it.
 * @param {string} text @param {string|null|undefined} unit
 * @param {string[]} [units] @param {boolean} [era]
 * @returns {number|null}
 */
function parseNumber(text, unit, units = [], era = false) {
  const compact = compactAnswer(text);
  let value = plainNumber(compact);
  if (value !== null) return value;
  let after = wordForms(unit ? [unit, ...units] : units);
  if (era) after = longestFirst(Array.from(new Set([...after, ...ERA_FORMS])));
  for (const form of after) {
    if (!compact.endsWith(form)) continue;
    value = plainNumber(compact.slice(0, compact.length - form.length));
    if (value !== null) return value;
  }
  for (const form of era ? ERA_FORMS : []) {
    if (!compact.startsWith(form)) continue;
    value = plainNumber(compact.slice(form.length));
    if (value !== null) return value;
  }
  return null;
}

/**
 * Does the whole (trimmed) answer match the question's pattern? A pattern the browser
 * cannot compile matches nothing.
 * @param {string} pattern @param {string} text @param {boolean} caseSensitive
 */
function patternMatches(pattern, text, caseSensitive) {
  try {
    return new RegExp("^(?:" + pattern + ")$", caseSensitive ? "u" : "iu").test(trimSpace(text));
  } catch (_) {
    return false;
  }
}
