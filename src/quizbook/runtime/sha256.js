// @ts-check
// SHA-256, the bundle's digests and its sealed texts (quizbook/seal.py does the same in Python).
// Written out because crypto.subtle is missing on plain-http pages and is asynchronous.

/** The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const SHA256_ROUND_CONSTANTS = /** @type {number[]} */ ([]);
/** The same of the square roots of the first 8 primes: the initial hash value. */
const SHA256_INITIAL_HASH = /** @type {number[]} */ ([]);
for (let candidate = 2, found = 0; found < 64; candidate++) {
  let isPrime = true;
  for (let divisor = 2; divisor * divisor <= candidate; divisor++) {
    if (candidate % divisor === 0) { isPrime = false; break; }
  }
  if (!isPrime) continue;
  if (found < 8) SHA256_INITIAL_HASH[found] = (Math.pow(candidate, 1 / 2) * 4294967296) | 0;
  SHA256_ROUND_CONSTANTS[found++] = (Math.pow(candidate, 1 / 3) * 4294967296) | 0;
}

/** @param {number} word @param {number} bits */
const rotateRight = (word, bits) => (word >>> bits) | (word << (32 - bits));

/**
 * SHA-256 of some bytes (FIPS 180-4).
 * @param {Uint8Array} data
 * @returns {Uint8Array}
 */
function sha256(data) {
  const length = data.length;
  const paddedSize = ((length + 72) >> 6) << 6;
  const message = new Uint8Array(paddedSize);
  message.set(data);
  message[length] = 128;
  const view = new DataView(message.buffer);
  view.setUint32(paddedSize - 8, Math.floor(length / 536870912));
  view.setUint32(paddedSize - 4, length * 8);
  const hash = SHA256_INITIAL_HASH.slice();
  const schedule = new Array(64);
  for (let offset = 0; offset < paddedSize; offset += 64) {
    for (let t = 0; t < 64; t++) {
      if (t < 16) {
        schedule[t] = view.getInt32(offset + t * 4);
      } else {
        const early = schedule[t - 15], late = schedule[t - 2];
        const sigma0 = rotateRight(early, 7) ^ rotateRight(early, 18) ^ (early >>> 3);
        const sigma1 = rotateRight(late, 17) ^ rotateRight(late, 19) ^ (late >>> 10);
        schedule[t] = (schedule[t - 16] + sigma0 + schedule[t - 7] + sigma1) | 0;
      }
    }
    let [a, b, c, d, e, f, g, h] = hash;
    for (let t = 0; t < 64; t++) {
      const sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
      const choose = (e & f) ^ (~e & g);
      const temp1 = (h + sum1 + choose + SHA256_ROUND_CONSTANTS[t] + schedule[t]) | 0;
      const sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const temp2 = (sum0 + majority) | 0;
      h = g; g = f; f = e; e = (d + temp1) | 0; d = c; c = b; b = a; a = (temp1 + temp2) | 0;
    }
    [a, b, c, d, e, f, g, h].forEach((word, j) => { hash[j] = (hash[j] + word) | 0; });
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  hash.forEach((word, j) => outView.setInt32(j * 4, word));
  return out;
}

const UTF8 = new TextEncoder();

/** @param {string} text @returns {string} the SHA-256 of its UTF-8 bytes, in hex */
const sha256Hex = (text) =>
  Array.from(sha256(UTF8.encode(text)), (byte) => (byte + 256).toString(16).slice(1)).join("");

/**
 * A bundle digest: `sha256("{salt}|{qid}|{value}")`, first 32 hex digits (docs/contracts.md).
 * @param {string} salt @param {string} questionId @param {string} value
 */
const digest = (salt, questionId, value) =>
  sha256Hex(salt + "|" + questionId + "|" + value).slice(0, 32);

/**
 * Open a sealed text of the bundle: base64 bytes XOR a SHA-256 keystream.
 * @param {string} salt @param {string} questionId @param {string} name @param {string} sealed
 * @returns {string}
 */
function unseal(salt, questionId, name, sealed) {
  const data = Uint8Array.from(atob(sealed), (ch) => ch.charCodeAt(0));
  for (let start = 0; start < data.length; start += 32) {
    const block = sha256(UTF8.encode(salt + "|" + questionId + "|" + name + "|" + start / 32));
    for (let j = 0; j < 32 && start + j < data.length; j++) data[start + j] ^= block[j];
  }
  return new TextDecoder().decode(data);
}
