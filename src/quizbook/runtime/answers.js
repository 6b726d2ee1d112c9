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

/**
 * The number a student typed, or null: "1,000" and "1000" are 1000, "3,5" is 3.5, and the
 * question's unit may follow the number.
 * @param {string} text @param {string|null|undefined} unit
 * @returns {number|null}
 */
function parseNumber(text, unit) {
  const withoutSpace = (/** @type {string} */ s) =>
    Array.from(s).filter((ch) => !PYTHON_SPACE.test(ch)).join("");
  let number = withoutSpace(text);
  const unitText = withoutSpace(unit || "");
  if (unitText && number.toLowerCase().endsWith(unitText.toLowerCase())) {
    number = number.slice(0, number.length - unitText.length);
  }
  if (/^[+-]?\p{Nd}{1,3}(,\p{Nd}{3})+(\.\p{Nd}+)?$/u.test(number)) number = number.replace(/,/g, "");
  else if (/^[+-]?\p{Nd}+,\p{Nd}+$/u.test(number)) number = number.replace(",", ".");
  if (!/^[+-]?(\p{Nd}+(\.\p{Nd}*)?|\.\p{Nd}+)$/u.test(number)) return null;
  const value = Number(asciiDigits(number));
  return Number.isFinite(value) ? value : null;
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
