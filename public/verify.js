// opendraw: an independent verifier of the draw protocol, version 1.
//
// Written from docs/PROTOCOL.md and the test vectors alone, without the reference
// implementation's code. No dependencies beyond sha256.js beside it; for the BLS
// signature of a drand round only, the audited @noble/curves in vendor/ (one file,
// loaded when a bundle names a round); and for the bundle's log proof (log.tsv) only,
// lib/merkle.js and lib/checkpoint.js (RFC 9162 proofs and C2SP signed checkpoints,
// which import nothing else of the site but @noble/curves); no build step: an ES module that runs in a
// modern browser (SHA-256 through WebCrypto, which browsers offer on HTTPS and
// localhost pages, and sha256.js for what is hashed as it downloads) and in
// Node >= 20.19, where it is also a command-line tool:
//
//   node verify.js BUNDLE.tar [--commitment HEX] [--result-digest HEX]
//
// Exit code 0 when the bundle verifies, 1 when it does not, 2 on bad usage.

import { Sha256 } from './sha256.js';

const encoder = new TextEncoder();
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const plainDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export const MEMBERS = [
  'commitment.tsv',
  'parameters.tsv',
  'targets.tsv',
  'inspectors.tsv',
  'recusals.tsv',
  'reveal.tsv',
  'result.tsv',
];
/** Members a bundle may have besides MEMBERS (§11): replacements.tsv when inspectors were replaced (§16). */
export const OPTIONAL_MEMBERS = ['replacements.tsv', 'drand.tsv', 'log.tsv'];
const MANIFESTS = ['parameters.tsv', 'targets.tsv', 'inspectors.tsv', 'recusals.tsv'];
const RULES = ['department', 'qualification', 'certificate', 'recusal', 'cross-region', 'cross-unit'];
const ENTROPY_FORMATS = { dice: /^[1-6]+$/, digits: /^[0-9]+$/, hex: /^[0-9a-f]+$/, drand: /^[0-9a-f]{64}$/ };

/** The drand chain a commitment may name (§3.6): League of Entropy quicknet. */
const QUICKNET = {
  hash: '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971',
  publicKey:
    '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
  genesis: 1692803367,
  period: 3,
};

// ---------------------------------------------------------------------------
// Errors

/** A file that breaks a rule of the protocol. `file`, `line` (1-based) and `column` say where. */
export class ProtocolError extends Error {
  constructor(file, line, column, message) {
    let where = file || '';
    if (line != null) where += ` line ${line}`;
    if (column != null) where += ` (${column})`;
    super(where ? `${where}: ${message}` : message);
    this.name = 'ProtocolError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = message;
  }
}

// ---------------------------------------------------------------------------
// Bytes, hex, hashing (§3.1)

export function toHex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return s;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** 64 lowercase hex digits -> 32 bytes; throws on anything else. */
export function fromHex64(text) {
  if (typeof text !== 'string' || !HEX64.test(text)) throw new Error('not 64 lowercase hex digits');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export async function sha256(bytes) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) {
    throw new Error('WebCrypto (crypto.subtle) is not available here; browsers offer it only on HTTPS or localhost pages');
  }
  return new Uint8Array(await subtle.digest('SHA-256', bytes));
}

export async function taggedHash(tag, fields) {
  const tagBytes = encoder.encode(tag);
  let total = 8 + tagBytes.length;
  for (const f of fields) total += 8 + f.length;
  const buf = new Uint8Array(total);
  const view = new DataView(buf.buffer);
  let p = 0;
  const put = (bytes) => {
    view.setUint32(p, Math.floor(bytes.length / 4294967296));
    view.setUint32(p + 4, bytes.length >>> 0);
    buf.set(bytes, p + 8);
    p += 8 + bytes.length;
  };
  put(tagBytes);
  for (const f of fields) put(f);
  return sha256(buf);
}

/** Bytewise order of two byte ranges of (possibly different) buffers. */
function compareRanges(a, as, ae, b, bs, be) {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const x = a[as + i];
    const y = b[bs + i];
    if (x !== y) return x < y ? -1 : 1;
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

/**
 * Bytewise (UTF-8, i.e. code point) order of two well-formed JS strings, without
 * encoding them: UTF-16 order except that surrogates rank above U+E000..U+FFFF.
 */
export function compareText(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function asBytes(value, name) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return encoder.encode(value);
  throw new TypeError(`${name}: expected bytes`);
}

function quote(text) {
  return JSON.stringify(text);
}

// ---------------------------------------------------------------------------
// ChaCha20 (§5)

function keyWords(key) {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new TypeError('a ChaCha20 key is 32 bytes');
  const k = new Uint32Array(8);
  for (let i = 0; i < 8; i++) {
    k[i] = (key[4 * i] | (key[4 * i + 1] << 8) | (key[4 * i + 2] << 16) | (key[4 * i + 3] << 24)) >>> 0;
  }
  return k;
}

// One ChaCha20 block: constants, key, 64-bit block counter (words 12, 13), nonce 0.
function chachaBlock(k, counterLo, counterHi, out) {
  const j0 = 0x61707865, j1 = 0x3320646e, j2 = 0x79622d32, j3 = 0x6b206574;
  const j4 = k[0] | 0, j5 = k[1] | 0, j6 = k[2] | 0, j7 = k[3] | 0;
  const j8 = k[4] | 0, j9 = k[5] | 0, j10 = k[6] | 0, j11 = k[7] | 0;
  const j12 = counterLo | 0, j13 = counterHi | 0, j14 = 0, j15 = 0;
  let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
  let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15;
  let t;
  for (let r = 0; r < 10; r++) {
    // columns
    x0 = (x0 + x4) | 0; t = x12 ^ x0; x12 = (t << 16) | (t >>> 16);
    x8 = (x8 + x12) | 0; t = x4 ^ x8; x4 = (t << 12) | (t >>> 20);
    x0 = (x0 + x4) | 0; t = x12 ^ x0; x12 = (t << 8) | (t >>> 24);
    x8 = (x8 + x12) | 0; t = x4 ^ x8; x4 = (t << 7) | (t >>> 25);

    x1 = (x1 + x5) | 0; t = x13 ^ x1; x13 = (t << 16) | (t >>> 16);
    x9 = (x9 + x13) | 0; t = x5 ^ x9; x5 = (t << 12) | (t >>> 20);
    x1 = (x1 + x5) | 0; t = x13 ^ x1; x13 = (t << 8) | (t >>> 24);
    x9 = (x9 + x13) | 0; t = x5 ^ x9; x5 = (t << 7) | (t >>> 25);

    x2 = (x2 + x6) | 0; t = x14 ^ x2; x14 = (t << 16) | (t >>> 16);
    x10 = (x10 + x14) | 0; t = x6 ^ x10; x6 = (t << 12) | (t >>> 20);
    x2 = (x2 + x6) | 0; t = x14 ^ x2; x14 = (t << 8) | (t >>> 24);
    x10 = (x10 + x14) | 0; t = x6 ^ x10; x6 = (t << 7) | (t >>> 25);

    x3 = (x3 + x7) | 0; t = x15 ^ x3; x15 = (t << 16) | (t >>> 16);
    x11 = (x11 + x15) | 0; t = x7 ^ x11; x7 = (t << 12) | (t >>> 20);
    x3 = (x3 + x7) | 0; t = x15 ^ x3; x15 = (t << 8) | (t >>> 24);
    x11 = (x11 + x15) | 0; t = x7 ^ x11; x7 = (t << 7) | (t >>> 25);

    // diagonals
    x0 = (x0 + x5) | 0; t = x15 ^ x0; x15 = (t << 16) | (t >>> 16);
    x10 = (x10 + x15) | 0; t = x5 ^ x10; x5 = (t << 12) | (t >>> 20);
    x0 = (x0 + x5) | 0; t = x15 ^ x0; x15 = (t << 8) | (t >>> 24);
    x10 = (x10 + x15) | 0; t = x5 ^ x10; x5 = (t << 7) | (t >>> 25);

    x1 = (x1 + x6) | 0; t = x12 ^ x1; x12 = (t << 16) | (t >>> 16);
    x11 = (x11 + x12) | 0; t = x6 ^ x11; x6 = (t << 12) | (t >>> 20);
    x1 = (x1 + x6) | 0; t = x12 ^ x1; x12 = (t << 8) | (t >>> 24);
    x11 = (x11 + x12) | 0; t = x6 ^ x11; x6 = (t << 7) | (t >>> 25);

    x2 = (x2 + x7) | 0; t = x13 ^ x2; x13 = (t << 16) | (t >>> 16);
    x8 = (x8 + x13) | 0; t = x7 ^ x8; x7 = (t << 12) | (t >>> 20);
    x2 = (x2 + x7) | 0; t = x13 ^ x2; x13 = (t << 8) | (t >>> 24);
    x8 = (x8 + x13) | 0; t = x7 ^ x8; x7 = (t << 7) | (t >>> 25);

    x3 = (x3 + x4) | 0; t = x14 ^ x3; x14 = (t << 16) | (t >>> 16);
    x9 = (x9 + x14) | 0; t = x4 ^ x9; x4 = (t << 12) | (t >>> 20);
    x3 = (x3 + x4) | 0; t = x14 ^ x3; x14 = (t << 8) | (t >>> 24);
    x9 = (x9 + x14) | 0; t = x4 ^ x9; x4 = (t << 7) | (t >>> 25);
  }
  out[0] = x0 + j0; out[1] = x1 + j1; out[2] = x2 + j2; out[3] = x3 + j3;
  out[4] = x4 + j4; out[5] = x5 + j5; out[6] = x6 + j6; out[7] = x7 + j7;
  out[8] = x8 + j8; out[9] = x9 + j9; out[10] = x10 + j10; out[11] = x11 + j11;
  out[12] = x12 + j12; out[13] = x13 + j13; out[14] = x14 + j14; out[15] = x15 + j15;
}

/** The first `count` little-endian 32-bit words of the ChaCha20 keystream of `key` (§5). */
export function chacha20Words(key, count) {
  const k = keyWords(key);
  const out = new Uint32Array(count);
  const block = new Uint32Array(16);
  let lo = 0, hi = 0;
  for (let i = 0; i < count; i += 16) {
    chachaBlock(k, lo, hi, block);
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    const n = Math.min(16, count - i);
    for (let j = 0; j < n; j++) out[i + j] = block[j];
  }
  return out;
}

/** The draw's random stream (§5) and uniform(n) (§6). */
export class DrawStream {
  #key;
  #block = new Uint32Array(16);
  #pos = 16;
  #lo = 0;
  #hi = 0;
  #read = 0;

  constructor(seed) {
    this.#key = keyWords(seed);
  }

  nextWord() {
    if (this.#pos === 16) {
      chachaBlock(this.#key, this.#lo, this.#hi, this.#block);
      this.#lo = (this.#lo + 1) >>> 0;
      if (this.#lo === 0) this.#hi = (this.#hi + 1) >>> 0;
      this.#pos = 0;
    }
    this.#read++;
    return this.#block[this.#pos++];
  }

  uniformBelow(n) {
    if (!Number.isInteger(n) || n < 1 || n >= 4294967296) throw new RangeError(`uniform(${n}): n must be 1 to 2^32 - 1`);
    const limit = 4294967296 - (4294967296 % n);
    let w;
    do {
      w = this.nextWord() >>> 0;
    } while (w >= limit);
    return w % n;
  }

  get wordsRead() {
    return this.#read;
  }
}

/**
 * §7.1: choose k of the list 0..n-1 by partial Fisher-Yates; returns the chosen
 * positions in the order chosen. Large n with small k keeps only the swapped positions.
 */
export function kOfN(n, k, stream) {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n || n >= 4294967296) {
    throw new RangeError(`k of n: need 0 <= k <= n < 2^32 (k = ${k}, n = ${n})`);
  }
  const out = new Array(k);
  if (k === 0) return out;
  if (n <= 1 << 22 && k * 8 >= n) {
    const a = new Uint32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + stream.uniformBelow(n - i);
      const v = a[j];
      a[j] = a[i];
      a[i] = v;
      out[i] = v;
    }
    return out;
  }
  const moved = new Map();
  for (let i = 0; i < k; i++) {
    const j = i + stream.uniformBelow(n - i);
    const vj = moved.has(j) ? moved.get(j) : j;
    const vi = moved.has(i) ? moved.get(i) : i;
    moved.set(j, vi); // position i is never read again
    out[i] = vj;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Common file format (§2.1)

function lineNumberAt(bytes, offset) {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++;
  return line;
}

/** Checks the rules of §2.1 that concern the whole file. */
function checkFile(bytes, file) {
  if (bytes.length === 0) throw new ProtocolError(file, null, null, 'the file is empty');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new ProtocolError(file, 1, null, 'the file begins with a byte order mark');
  }
  try {
    fatalDecoder.decode(bytes);
  } catch {
    throw new ProtocolError(file, lineNumberAt(bytes, firstBadUtf8(bytes)), null, 'the file is not well-formed UTF-8');
  }
  const cr = bytes.indexOf(13);
  if (cr !== -1) throw new ProtocolError(file, lineNumberAt(bytes, cr), null, 'a carriage return (CR); lines end with LF only');
  if (bytes[bytes.length - 1] !== 10) throw new ProtocolError(file, null, null, 'the last line does not end with LF');
}

// Only used to say where a decoding error is.
function firstBadUtf8(b) {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n, min;
    if (c < 0x80) { i++; continue; }
    else if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> n);
    for (let j = 1; j <= n; j++) {
      const d = b[i + j];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}

// Length of the white-space character (§2.1) starting at i, or 0.
function spaceAt(b, i) {
  const c = b[i];
  if (c === 0x20) return 1;
  if (c === 0xc2) return b[i + 1] === 0xa0 ? 2 : 0;
  if (c === 0xe1) return b[i + 1] === 0x9a && b[i + 2] === 0x80 ? 3 : 0;
  if (c === 0xe2) {
    const d = b[i + 1], f = b[i + 2];
    if (d === 0x80 && (f <= 0x8a || f === 0xaf)) return 3;
    if (d === 0x81 && f === 0x9f) return 3;
    return 0;
  }
  if (c === 0xe3) return b[i + 1] === 0x80 && b[i + 2] === 0x80 ? 3 : 0;
  return 0;
}

// The invisible format characters of §2.1 (Unicode general category Cf, as a fixed
// list: the engine's own \p{Cf} depends on its Unicode version).
const FORMAT_CHARACTERS = [
  [0x00ad, 0x00ad], [0x0600, 0x0605], [0x061c, 0x061c], [0x06dd, 0x06dd], [0x070f, 0x070f],
  [0x0890, 0x0891], [0x08e2, 0x08e2], [0x180e, 0x180e], [0x200b, 0x200f], [0x202a, 0x202e],
  [0x2060, 0x2064], [0x2066, 0x206f], [0xfeff, 0xfeff], [0xfff9, 0xfffb], [0x110bd, 0x110bd],
  [0x110cd, 0x110cd], [0x13430, 0x1343f], [0x1bca0, 0x1bca3], [0x1d173, 0x1d17a],
  [0xe0001, 0xe0001], [0xe0020, 0xe007f],
];
const FORMAT_NAMES = new Map([
  [0x00ad, 'SOFT HYPHEN'], [0x061c, 'ARABIC LETTER MARK'], [0x180e, 'MONGOLIAN VOWEL SEPARATOR'],
  [0x200b, 'ZERO WIDTH SPACE'], [0x200c, 'ZERO WIDTH NON-JOINER'], [0x200d, 'ZERO WIDTH JOINER'],
  [0x200e, 'LEFT-TO-RIGHT MARK'], [0x200f, 'RIGHT-TO-LEFT MARK'], [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'], [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'], [0x202e, 'RIGHT-TO-LEFT OVERRIDE'], [0x2060, 'WORD JOINER'],
  [0x2061, 'FUNCTION APPLICATION'], [0x2062, 'INVISIBLE TIMES'], [0x2063, 'INVISIBLE SEPARATOR'],
  [0x2064, 'INVISIBLE PLUS'], [0x2066, 'LEFT-TO-RIGHT ISOLATE'], [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'], [0x2069, 'POP DIRECTIONAL ISOLATE'],
  [0xfeff, 'ZERO WIDTH NO-BREAK SPACE (byte order mark)'],
]);

// The first UTF-8 bytes those characters can start with: most text (Chinese included)
// never reaches the range test.
const FORMAT_LEAD_BYTES = new Uint8Array(256);
for (const [first, last] of FORMAT_CHARACTERS) {
  for (let cp = first; cp <= last; cp++) FORMAT_LEAD_BYTES[encoder.encode(String.fromCodePoint(cp))[0]] = 1;
}

/** `U+202E RIGHT-TO-LEFT OVERRIDE` when cp is an invisible format character of §2.1, else null. */
function formatCharacter(cp) {
  if (!FORMAT_CHARACTERS.some(([first, last]) => cp >= first && cp <= last)) return null;
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return FORMAT_NAMES.has(cp) ? `${code} ${FORMAT_NAMES.get(cp)}` : code;
}

// The code point whose UTF-8 encoding starts at b[i] (a lead byte of well-formed UTF-8).
function codePointAt(b, i) {
  const c = b[i];
  if (c < 0xe0) return ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
  if (c < 0xf0) return ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
  return ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
}

/**
 * The field-text rules of §2.1 for b[s..e) (already known to be well-formed UTF-8 with
 * no TAB or LF): returns null, or what is wrong.
 */
function fieldProblem(b, s, e, max, noComma) {
  const len = e - s;
  if (len === 0) return 'empty';
  if (len > max) return `longer than ${max} bytes (${len})`;
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c < 0x80) {
      if (c < 0x20 || c === 0x7f) return `a control character (U+${c.toString(16).padStart(4, '0').toUpperCase()})`;
      if (noComma && c === 0x2c) return 'a comma';
    } else if (c === 0xc2) {
      if (b[i + 1] < 0xa0) return `a control character (U+${b[i + 1].toString(16).padStart(4, '0').toUpperCase()})`;
    } else if (c === 0xe2 && b[i + 1] === 0x80 && (b[i + 2] === 0xa8 || b[i + 2] === 0xa9)) {
      return b[i + 2] === 0xa8 ? 'a line separator (U+2028)' : 'a paragraph separator (U+2029)';
    }
    if (FORMAT_LEAD_BYTES[c] === 1) {
      const format = formatCharacter(codePointAt(b, i));
      if (format !== null) return `${format}, an invisible format character, is not allowed`;
    }
  }
  if (spaceAt(b, s) !== 0) return 'begins with white space';
  if (b[e - 1] === 0x20 || (len >= 2 && spaceAt(b, e - 2) === 2) || (len >= 3 && spaceAt(b, e - 3) === 3)) {
    return 'ends with white space';
  }
  return null;
}

/** The §2.1 field-text rules for a JS string (used for entropy and pins given as text). */
export function fieldTextProblem(text, max = 128) {
  const b = encoder.encode(text);
  if (b.indexOf(9) !== -1 || b.indexOf(10) !== -1) return 'a control character';
  return fieldProblem(b, 0, b.length, max, false);
}

/**
 * Splits a (small) file into lines of fields after the checks of §2.1. Each line is
 * {no, r: [s0, e0, s1, e1, ...]} with byte ranges into `bytes`.
 */
function splitFile(bytes, file) {
  checkFile(bytes, file);
  const lines = [];
  let s = 0;
  let no = 0;
  while (s < bytes.length) {
    no++;
    const e = bytes.indexOf(10, s);
    if (e === s) throw new ProtocolError(file, no, null, 'an empty line');
    const r = [];
    let p = s;
    for (;;) {
      let t = bytes.indexOf(9, p);
      if (t === -1 || t > e) t = e;
      r.push(p, t);
      if (t === e) break;
      p = t + 1;
    }
    lines.push({ no, r });
    s = e + 1;
  }
  return lines;
}

function fieldString(b, s, e) {
  if (e - s < 48) {
    let ascii = true;
    for (let i = s; i < e; i++) if (b[i] >= 0x80) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, b.subarray(s, e));
  }
  return plainDecoder.decode(b.subarray(s, e));
}

// A tiny reader over the lines of a small file.
class Lines {
  constructor(bytes, file) {
    this.b = bytes;
    this.file = file;
    this.lines = splitFile(bytes, file);
    this.i = 0;
  }
  get done() {
    return this.i >= this.lines.length;
  }
  get no() {
    return this.i < this.lines.length ? this.lines[this.i].no : this.lines.length + 1;
  }
  fail(message, column = null, no = this.no) {
    return new ProtocolError(this.file, no, column, message);
  }
  count(line) {
    return line.r.length / 2;
  }
  str(line, k) {
    return fieldString(this.b, line.r[2 * k], line.r[2 * k + 1]);
  }
  /** The first field of the current line, or null at the end. */
  peekKey() {
    if (this.done) return null;
    const l = this.lines[this.i];
    return fieldString(this.b, l.r[0], l.r[1]);
  }
  /** Takes the current line, which must start with `key` and have `n` fields (or one of `n` if an array). */
  take(key, n, what = key) {
    if (this.done) throw this.fail(`missing the ${quote(what)} line`);
    const l = this.lines[this.i];
    const k = this.str(l, 0);
    if (k !== key) throw this.fail(`expected the ${quote(what)} line, found ${quote(k)}`);
    const counts = Array.isArray(n) ? n : [n];
    if (!counts.includes(this.count(l))) {
      throw this.fail(`${quote(key)} line: ${this.count(l)} fields, expected ${counts.join(' or ')}`);
    }
    this.i++;
    return l;
  }
  /** A field text of line l, field k. */
  text(l, k, column, max = 128, noComma = false) {
    const problem = fieldProblem(this.b, l.r[2 * k], l.r[2 * k + 1], max, noComma);
    if (problem) throw this.fail(problem, column, l.no);
    return this.str(l, k);
  }
  magic(text) {
    if (this.done) throw this.fail('missing the header line');
    const l = this.lines[this.i];
    const got = plainDecoder.decode(this.b.subarray(l.r[0], l.r[l.r.length - 1]));
    if (got !== text) {
      const show = (x) => quote(x.replaceAll('\t', '⇥'));
      throw this.fail(`the header must be ${show(text)}, found ${show(got)}`);
    }
    this.i++;
  }
  end() {
    if (!this.done) throw this.fail(`unexpected line ${quote(this.peekKey())}`);
  }
}

const NUMBER = /^(?:0|[1-9][0-9]*)$/;

function parseNumber(text, min, max) {
  if (!NUMBER.test(text) || text.length > 16) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

function numberField(lines, l, k, column, min, max) {
  const t = lines.str(l, k);
  const n = parseNumber(t, min, max);
  if (n === null) throw lines.fail(`${quote(t)} is not a number from ${min} to ${max} (decimal, no sign, no leading zero)`, column, l.no);
  return n;
}

function hexField(lines, l, k, column) {
  const t = lines.str(l, k);
  if (!HEX64.test(t)) throw lines.fail(`${quote(t)} is not 64 lowercase hex digits`, column, l.no);
  return t;
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

export function isDate(text) {
  const m = DATE.exec(text);
  if (!m) return false;
  const y = +m[1], mo = +m[2], d = +m[3];
  if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}

function dateField(lines, l, k, column) {
  const t = lines.str(l, k);
  if (!isDate(t)) throw lines.fail(`${quote(t)} is not a date YYYY-MM-DD that exists`, column, l.no);
  return t;
}

function rangeOf(lines, l, k) {
  return [l.r[2 * k], l.r[2 * k + 1]];
}

function requireIncreasing(lines, l, k, prev, column, what) {
  const [s, e] = rangeOf(lines, l, k);
  if (prev && compareRanges(lines.b, prev[0], prev[1], lines.b, s, e) >= 0) {
    throw lines.fail(`${what} not in strictly increasing bytewise order (${quote(lines.str(l, k))} after ${quote(fieldString(lines.b, prev[0], prev[1]))})`, column, l.no);
  }
  return [s, e];
}

// ---------------------------------------------------------------------------
// Parameters (§2.5)

export function parseParameters(bytes) {
  const L = new Lines(asBytes(bytes, 'parameters.tsv'), 'parameters.tsv');
  L.magic('opendraw-parameters\t1');
  const task = L.text(L.take('task', 2), 1, 'task');
  const items = [];
  let prev = null;
  do {
    const l = L.take('item', 2);
    L.text(l, 1, 'item', 128, true);
    prev = requireIncreasing(L, l, 1, prev, 'item', 'items');
    items.push(L.str(l, 1));
  } while (L.peekKey() === 'item');
  const certificateDate = dateField(L, L.take('certificate-date', 2), 1, 'certificate-date');
  const k = numberField(L, L.take('inspectors-per-target', 2), 1, 'inspectors-per-target', 2, 100);
  let l = L.take('cross', 2);
  const crossText = L.str(l, 1);
  if (!['none', 'region', 'unit', 'region,unit'].includes(crossText)) {
    throw L.fail(`${quote(crossText)} is not none, region, unit or region,unit`, 'cross', l.no);
  }
  l = L.take('balance', 2);
  const balanceText = L.str(l, 1);
  if (balanceText !== 'yes' && balanceText !== 'no') throw L.fail(`${quote(balanceText)} is not yes or no`, 'balance', l.no);
  const departments = [];
  prev = null;
  do {
    const l2 = L.take('department', 2);
    L.text(l2, 1, 'department');
    prev = requireIncreasing(L, l2, 1, prev, 'department', 'departments');
    departments.push(L.str(l2, 1));
  } while (L.peekKey() === 'department');
  l = L.take('default-quota', [2, 3]);
  let defaultQuota = null;
  if (L.count(l) === 2) {
    if (L.str(l, 1) !== 'none') throw L.fail(`${quote(L.str(l, 1))} is not none, ratio or count`, 'default-quota', l.no);
  } else {
    defaultQuota = quotaOf(L, l, 1, 'default-quota');
  }
  const stratumQuotas = new Map();
  prev = null;
  while (!L.done && L.peekKey() === 'stratum-quota') {
    const l2 = L.take('stratum-quota', 4);
    L.text(l2, 1, 'stratum-quota');
    prev = requireIncreasing(L, l2, 1, prev, 'stratum-quota', 'strata');
    stratumQuotas.set(L.str(l2, 1), quotaOf(L, l2, 2, 'stratum-quota'));
  }
  // Frequency caps (§2.5, §17): they shaped the pool; the draw does not read them.
  const frequencyCaps = new Map();
  prev = null;
  while (!L.done) {
    const l2 = L.take('frequency-cap', 4);
    L.text(l2, 1, 'frequency-cap', 128, true);
    prev = requireIncreasing(L, l2, 1, prev, 'frequency-cap', 'capped items');
    const item = L.str(l2, 1);
    if (!items.includes(item)) throw L.fail(`item ${quote(item)} has a frequency cap but is not one of the task's items`, 'frequency-cap', l2.no);
    const times = numberField(L, l2, 2, 'frequency-cap', 1, 250);
    const year = numberField(L, l2, 3, 'frequency-cap', 1000, 9999);
    frequencyCaps.set(item, { times, year });
  }
  return {
    task,
    items,
    certificateDate,
    k,
    cross: crossText,
    crossRegion: crossText === 'region' || crossText === 'region,unit',
    crossUnit: crossText === 'unit' || crossText === 'region,unit',
    balance: balanceText === 'yes',
    departments,
    defaultQuota,
    stratumQuotas,
    frequencyCaps,
  };
}

/** What a frequency cap line commits to, as `opendraw verify` says it. */
export function capDetail(cap) {
  return `at most ${cap.times} draw(s) of one target for this item in ${cap.year}: no target of the pool had been drawn that often by the department's earlier revealed tasks; check it against their bundles (opendraw caps)`;
}

function quotaOf(L, l, k, column) {
  const kind = L.str(l, k);
  if (kind === 'ratio') return { kind, value: numberField(L, l, k + 1, column, 0, 10000) };
  if (kind === 'count') return { kind, value: numberField(L, l, k + 1, column, 0, 4294967295) };
  throw L.fail(`${quote(kind)} is not ratio or count`, column, l.no);
}

/** §7.2 */
export function quotaFor(rule, n) {
  if (rule.kind === 'ratio') return Math.floor((rule.value * n + 9999) / 10000);
  return Math.min(rule.value, n);
}

// ---------------------------------------------------------------------------
// Target manifest (§2.2), parsed into typed arrays: it can hold millions of lines.

// Interns byte strings of one buffer: equal bytes get one index.
class Interner {
  constructor(buf) {
    this.buf = buf;
    this.mask = 63;
    this.table = new Int32Array(64).fill(-1);
    this.starts = [];
    this.ends = [];
    this.hashes = [];
    this.strings = [];
  }
  get size() {
    return this.starts.length;
  }
  intern(s, e) {
    const b = this.buf;
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
    let slot = h & this.mask;
    for (;;) {
      const id = this.table[slot];
      if (id === -1) break;
      if (this.hashes[id] === h && compareRanges(b, this.starts[id], this.ends[id], b, s, e) === 0) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.starts.length;
    this.starts.push(s);
    this.ends.push(e);
    this.hashes.push(h);
    this.strings.push(null);
    this.table[slot] = id;
    if (id * 2 > this.mask) this.#grow();
    return id;
  }
  #grow() {
    const size = (this.mask + 1) * 2;
    this.mask = size - 1;
    this.table = new Int32Array(size).fill(-1);
    for (let id = 0; id < this.starts.length; id++) {
      let slot = this.hashes[id] & this.mask;
      while (this.table[slot] !== -1) slot = (slot + 1) & this.mask;
      this.table[slot] = id;
    }
  }
  str(id) {
    let s = this.strings[id];
    if (s === null) s = this.strings[id] = fieldString(this.buf, this.starts[id], this.ends[id]);
    return s;
  }
  compare(a, b) {
    return compareRanges(this.buf, this.starts[a], this.ends[a], this.buf, this.starts[b], this.ends[b]);
  }
}

const TARGETS_HEADER = encoder.encode('target_id\tstratum\tregion\tunit\n');

export function parseTargets(bytes, onProgress = null) {
  const parser = new TargetsParser(asBytes(bytes, 'targets.tsv'));
  parser.advance(parser.b.length, onProgress);
  return parser.finish();
}

/**
 * Parses a target manifest while it arrives: `advance(n)` when the first n bytes of its
 * buffer are there, `finish()` when all are. The rows are read as they come; what is wrong
 * with the file is reported at `finish`, in the order parseTargets reports it (the checks
 * of the whole file first, then the header, then the first bad row).
 */
export class TargetsParser {
  constructor(buffer) {
    this.b = buffer;
    this.n = 0;
    this.s = TARGETS_HEADER.length;
    this.headerRead = false;
    this.problem = null;
    const capacity = Math.ceil(buffer.length / 32) + 16;
    this.idS = new Uint32Array(capacity);
    this.idE = new Uint32Array(capacity);
    this.stratum = new Uint32Array(capacity);
    this.region = new Uint32Array(capacity);
    this.unit = new Int32Array(capacity);
    this.strata = new Interner(buffer);
    this.regions = new Interner(buffer);
    this.units = new Interner(buffer);
  }

  #grow() {
    const size = this.idS.length * 2;
    for (const name of ['idS', 'idE', 'stratum', 'region', 'unit']) {
      const bigger = new this[name].constructor(size);
      bigger.set(this[name]);
      this[name] = bigger;
    }
  }

  /** Reads the rows that end within the first `available` bytes. */
  advance(available, onProgress = null) {
    if (this.problem !== null) return;
    const H = TARGETS_HEADER;
    const b = this.b;
    if (!this.headerRead) {
      if (available < H.length) return;
      if (compareRanges(b, 0, H.length, H, 0, H.length) !== 0) {
        this.problem = 'header';
        return;
      }
      this.headerRead = true;
    }
    // Searches stop at the bytes that have arrived.
    const v = b.subarray(0, available);
    const bad = (row, column, message) => {
      this.problem = new ProtocolError('targets.tsv', row + 2, column, message);
    };
    const step = 1 << 16;
    let s = this.s;
    let row = this.n;
    for (;;) {
      const e = v.indexOf(10, s);
      if (e === -1) break;
      if (onProgress && (row & (step - 1)) === 0) onProgress(s / b.length);
      if (e === s) return bad(row, null, 'an empty line');
      const t1 = v.indexOf(9, s);
      const t2 = t1 === -1 || t1 > e ? -1 : v.indexOf(9, t1 + 1);
      const t3 = t2 === -1 || t2 > e ? -1 : v.indexOf(9, t2 + 1);
      if (t3 === -1 || t3 > e) return bad(row, null, 'fewer than 4 fields');
      const t4 = v.indexOf(9, t3 + 1);
      if (t4 !== -1 && t4 < e) return bad(row, null, 'more than 4 fields');
      let problem = fieldProblem(b, s, t1, 128, false);
      if (problem) return bad(row, 'target_id', problem);
      if (row > 0 && compareRanges(b, this.idS[row - 1], this.idE[row - 1], b, s, t1) >= 0) {
        return bad(row, 'target_id', `${quote(fieldString(b, s, t1))} is not after ${quote(fieldString(b, this.idS[row - 1], this.idE[row - 1]))} in strictly increasing bytewise order`);
      }
      problem = fieldProblem(b, t1 + 1, t2, 128, false);
      if (problem) return bad(row, 'stratum', problem);
      problem = fieldProblem(b, t2 + 1, t3, 128, false);
      if (problem) return bad(row, 'region', problem);
      if (row === this.idS.length) this.#grow();
      if (e > t3 + 1) {
        problem = fieldProblem(b, t3 + 1, e, 128, false);
        if (problem) return bad(row, 'unit', problem);
        this.unit[row] = this.units.intern(t3 + 1, e);
      } else {
        this.unit[row] = -1;
      }
      this.idS[row] = s;
      this.idE[row] = t1;
      this.stratum[row] = this.strata.intern(t1 + 1, t2);
      this.region[row] = this.regions.intern(t2 + 1, t3);
      s = e + 1;
      this.s = s;
      this.n = ++row;
    }
  }

  /** The parsed manifest, once every byte of its buffer is there. */
  finish() {
    const file = 'targets.tsv';
    const b = this.b;
    checkFile(b, file);
    this.advance(b.length);
    const H = TARGETS_HEADER;
    if (this.problem === 'header' || b.length < H.length) {
      const e = b.indexOf(10);
      throw new ProtocolError(file, 1, null, `the header must be "target_id⇥stratum⇥region⇥unit", found ${quote(fieldString(b, 0, e).replaceAll('\t', '⇥'))}`);
    }
    if (this.problem !== null) throw this.problem;
    const n = this.n;
    const idS = this.idS.subarray(0, n);
    const idE = this.idE.subarray(0, n);
    return {
      n,
      buf: b,
      idS,
      idE,
      stratum: this.stratum.subarray(0, n),
      region: this.region.subarray(0, n),
      unit: this.unit.subarray(0, n),
      strata: this.strata,
      regions: this.regions,
      units: this.units,
      id(row) {
        return fieldString(b, idS[row], idE[row]);
      },
    };
  }
}

// ---------------------------------------------------------------------------
// Inspector manifest (§2.3) and recusals (§2.4)

export function parseInspectors(bytes) {
  const file = 'inspectors.tsv';
  const L = new Lines(asBytes(bytes, file), file);
  L.magic('inspector_id\tdepartment\tunit\tregion\titems\tcertificate_expires');
  const list = [];
  let prev = null;
  while (!L.done) {
    const l = L.lines[L.i];
    if (L.count(l) !== 6) throw L.fail(`${L.count(l)} fields, expected 6`);
    L.i++;
    const id = L.text(l, 0, 'inspector_id');
    prev = requireIncreasing(L, l, 0, prev, 'inspector_id', 'ids');
    const department = L.text(l, 1, 'department');
    const unit = L.text(l, 2, 'unit');
    const region = L.text(l, 3, 'region');
    const [is, ie] = rangeOf(L, l, 4);
    if (is === ie) throw L.fail('no item', 'items', l.no);
    const items = [];
    let p = is;
    let prevItem = null;
    for (;;) {
      let c = p;
      while (c < ie && L.b[c] !== 0x2c) c++;
      const problem = fieldProblem(L.b, p, c, 128, true);
      if (problem) throw L.fail(`item ${items.length + 1}: ${problem}`, 'items', l.no);
      if (prevItem && compareRanges(L.b, prevItem[0], prevItem[1], L.b, p, c) >= 0) {
        throw L.fail(`items not in strictly increasing bytewise order (${quote(fieldString(L.b, p, c))} after ${quote(fieldString(L.b, prevItem[0], prevItem[1]))})`, 'items', l.no);
      }
      prevItem = [p, c];
      items.push(fieldString(L.b, p, c));
      if (c === ie) break;
      p = c + 1;
    }
    const expires = dateField(L, l, 5, 'certificate_expires');
    list.push({ id, department, unit, region, items, expires });
  }
  return list;
}

export function parseRecusals(bytes) {
  const file = 'recusals.tsv';
  const L = new Lines(asBytes(bytes, file), file);
  L.magic('inspector_id\ttarget_id');
  const pairs = [];
  let prev = null;
  while (!L.done) {
    const l = L.lines[L.i];
    if (L.count(l) !== 2) throw L.fail(`${L.count(l)} fields, expected 2`);
    L.i++;
    const inspector = L.text(l, 0, 'inspector_id');
    const target = L.text(l, 1, 'target_id');
    // TAB sorts below every byte of a field text: whole lines sort like their pairs.
    const s = l.r[0], e = l.r[3];
    if (prev && compareRanges(L.b, prev[0], prev[1], L.b, s, e) >= 0) {
      throw L.fail('pairs not in strictly increasing order (by inspector_id, then target_id)', null, l.no);
    }
    prev = [s, e];
    pairs.push([inspector, target]);
  }
  return pairs;
}

// ---------------------------------------------------------------------------
// Commitment (§3.5), reveal (§4), result (§9)

export function parseCommitment(bytes) {
  const L = new Lines(asBytes(bytes, 'commitment.tsv'), 'commitment.tsv');
  L.magic('opendraw-commitment\t1');
  const c = {};
  for (const [key, name] of [
    ['parameters', 'parameters.tsv'],
    ['targets', 'targets.tsv'],
    ['inspectors', 'inspectors.tsv'],
    ['recusals', 'recusals.tsv'],
  ]) {
    c[name] = hexField(L, L.take(key, 2), 1, key);
  }
  c.secretHash = hexField(L, L.take('secret-hash', 2), 1, 'secret-hash');
  const l = L.take('entropy-format', 2);
  c.entropyFormat = L.str(l, 1);
  if (!Object.hasOwn(ENTROPY_FORMATS, c.entropyFormat)) {
    throw L.fail(`${quote(c.entropyFormat)} is not dice, digits, hex or drand`, 'entropy-format', l.no);
  }
  c.entropySource = L.text(L.take('entropy-source', 2), 1, 'entropy-source', 1024);
  // §3.3: the event time is optional; commitments made before it existed have none.
  c.entropyEvent = null;
  if (L.peekKey() === 'entropy-event') {
    const l = L.take('entropy-event', 2);
    c.entropyEvent = L.str(l, 1);
    if (eventTimeMillis(c.entropyEvent) === null) {
      throw L.fail(`${quote(c.entropyEvent)} is not a date and time of the form YYYY-MM-DDTHH:MM:SS+HH:MM`, 'entropy-event', l.no);
    }
  }
  // §3.6: a drand commitment names its chain and round after the event.
  c.drandChain = null;
  c.drandRound = null;
  if (L.peekKey() === 'drand-chain') {
    c.drandChain = hexField(L, L.take('drand-chain', 2), 1, 'drand-chain');
    const l = L.take('drand-round', 2);
    const round = L.str(l, 1);
    if (!/^[1-9][0-9]{0,10}$/.test(round) || Number(round) > 10000000000) {
      throw L.fail(`${quote(round)} is not a round number`, 'drand-round', l.no);
    }
    c.drandRound = round;
  }
  if ((c.entropyFormat === 'drand') !== (c.drandChain !== null) || (c.drandChain !== null && c.entropyEvent === null)) {
    throw L.fail('drand-chain and drand-round come with the entropy format drand and its entropy-event, and only with it', 'entropy-format', l.no);
  }
  c.digest = hexField(L, L.take('digest', 2), 1, 'digest');
  L.end();
  return c;
}

export function parseReveal(bytes) {
  const L = new Lines(asBytes(bytes, 'reveal.tsv'), 'reveal.tsv');
  L.magic('opendraw-reveal\t1');
  const commitment = hexField(L, L.take('commitment', 2), 1, 'commitment');
  const secret = hexField(L, L.take('secret', 2), 1, 'secret');
  const entropy = L.text(L.take('entropy', 2), 1, 'entropy', 4096);
  const seed = hexField(L, L.take('seed', 2), 1, 'seed');
  L.end();
  return { commitment, secret, entropy, seed };
}

export function parseResult(bytes) {
  const L = new Lines(asBytes(bytes, 'result.tsv'), 'result.tsv');
  L.magic('opendraw-result\t1');
  const commitment = hexField(L, L.take('commitment', 2), 1, 'commitment');
  let l = L.take('status', 2);
  const status = L.str(l, 1);
  if (status !== 'complete' && status !== 'failed') throw L.fail(`${quote(status)} is not complete or failed`, 'status', l.no);
  const strata = [];
  let prev = null;
  while (L.peekKey() === 'stratum') {
    l = L.take('stratum', 4);
    const key = L.text(l, 1, 'key');
    prev = requireIncreasing(L, l, 1, prev, 'key', 'strata');
    strata.push({ key, pool: numberField(L, l, 2, 'pool', 0, 4294967295), quota: numberField(L, l, 3, 'quota', 0, 4294967295), line: l.no });
  }
  const strataKeys = new Set(strata.map((x) => x.key));
  const targets = [];
  while (L.peekKey() === 'target') {
    l = L.take('target', 4);
    const position = numberField(L, l, 1, 'position', 1, 4294967295);
    if (position !== targets.length + 1) throw L.fail(`position ${position} where ${targets.length + 1} comes next`, 'position', l.no);
    const key = L.text(l, 2, 'key');
    if (!strataKeys.has(key)) throw L.fail(`${quote(key)} has no stratum line`, 'key', l.no);
    targets.push({ position, key, id: L.text(l, 3, 'target_id'), line: l.no });
  }
  const assigns = [];
  while (L.peekKey() === 'assign') {
    l = L.lines[L.i];
    if (L.count(l) < 4) throw L.fail(`${L.count(l)} fields, expected at least 4`);
    L.i++;
    const inspectors = [];
    for (let k = 3; k < L.count(l); k++) inspectors.push(L.text(l, k, 'inspector_id'));
    assigns.push({ target: L.text(l, 1, 'target_id'), department: L.text(l, 2, 'department'), inspectors, line: l.no });
  }
  let failure = null;
  if (L.peekKey() === 'failure') {
    l = L.take('failure', 6);
    if (status !== 'failed') throw L.fail('a failure line in a complete result', null, l.no);
    const rule = L.str(l, 3);
    if (!RULES.includes(rule)) throw L.fail(`${quote(rule)} is not a rule of §8.2`, 'rule', l.no);
    failure = {
      target: L.text(l, 1, 'target_id'),
      department: L.text(l, 2, 'department'),
      rule,
      remaining: numberField(L, l, 4, 'remaining', 0, 4294967295),
      k: numberField(L, l, 5, 'k', 0, 4294967295),
    };
  }
  L.end();
  if (status === 'failed' && !failure) throw L.fail('status failed without a failure line', 'status', 3);
  return { commitment, status, strata, targets, assigns, failure };
}

// ---------------------------------------------------------------------------
// The draw (§7, §8)

function missingQuotaRule(params, T) {
  if (params.defaultQuota) return null;
  for (let id = 0; id < T.strata.size; id++) {
    const key = T.strata.str(id);
    if (!params.stratumQuotas.has(key)) return key;
  }
  return null;
}

/**
 * Recomputes the draw from parsed files and the seed (32 bytes). Returns
 * {strata: [{key, pool, quota, ids}], targets: [{position, key, id}], assigns:
 * [{target, department, inspectors}], status, failure}.
 */
export function computeDraw(params, T, inspectors, recusals, seed, onProgress = null) {
  const stream = new DrawStream(seed);
  const ns = T.strata.size;
  const counts = new Uint32Array(ns);
  for (let r = 0; r < T.n; r++) counts[T.stratum[r]]++;
  const offsets = new Uint32Array(ns + 1);
  for (let i = 0; i < ns; i++) offsets[i + 1] = offsets[i] + counts[i];
  const members = new Uint32Array(T.n);
  const fill = offsets.slice(0, ns);
  for (let r = 0; r < T.n; r++) members[fill[T.stratum[r]]++] = r;
  const order = Array.from({ length: ns }, (_, i) => i).sort((a, b) => T.strata.compare(a, b));

  const strata = [];
  const drawnRows = [];
  const targets = [];
  for (const sid of order) {
    const key = T.strata.str(sid);
    const rule = params.stratumQuotas.get(key) || params.defaultQuota;
    if (!rule) throw new ProtocolError('parameters.tsv', null, null, `stratum ${quote(key)} has no quota rule`);
    const pool = counts[sid];
    const quota = quotaFor(rule, pool);
    const ranks = kOfN(pool, quota, stream);
    const ids = [];
    for (const rank of ranks) {
      const row = members[offsets[sid] + rank];
      const id = T.id(row);
      ids.push(id);
      drawnRows.push(row);
      targets.push({ position: targets.length + 1, key, id });
    }
    strata.push({ key, pool, quota, ids });
  }
  if (onProgress) onProgress(0.3);

  // Inspectors: region and unit as the targets' interned indices (-2: no target has it).
  const regionIndex = new Map();
  for (let i = 0; i < T.regions.size; i++) regionIndex.set(T.regions.str(i), i);
  const unitIndex = new Map();
  for (let i = 0; i < T.units.size; i++) unitIndex.set(T.units.str(i), i);
  const m = inspectors.length;
  const iRegion = new Int32Array(m);
  const iUnit = new Int32Array(m);
  const idIndex = new Map();
  for (let i = 0; i < m; i++) {
    const ins = inspectors[i];
    iRegion[i] = regionIndex.has(ins.region) ? regionIndex.get(ins.region) : -2;
    iUnit[i] = unitIndex.has(ins.unit) ? unitIndex.get(ins.unit) : -2;
    idIndex.set(ins.id, i);
  }
  const recused = new Map(); // target id -> Set of inspector indices
  for (const [inspector, target] of recusals) {
    if (!idIndex.has(inspector)) continue;
    let set = recused.get(target);
    if (!set) recused.set(target, (set = new Set()));
    set.add(idIndex.get(inspector));
  }
  const departments = params.departments.map((d) => {
    const dept = [];
    for (let i = 0; i < m; i++) if (inspectors[i].department === d) dept.push(i);
    const qualified = dept.filter((i) => {
      const have = inspectors[i].items;
      return params.items.every((item) => have.includes(item));
    });
    const certified = Int32Array.from(qualified.filter((i) => params.certificateDate <= inspectors[i].expires));
    return { name: d, dept: dept.length, qualified: qualified.length, certified };
  });
  const K = params.k;
  const load = new Uint32Array(m);
  const cand = new Int32Array(m);
  const group = new Int32Array(m);
  const assigns = [];
  let failure = null;
  const total = drawnRows.length;
  outer: for (let t = 0; t < total; t++) {
    if (onProgress && (t & 1023) === 0) onProgress(0.3 + (0.7 * t) / Math.max(total, 1));
    const row = drawnRows[t];
    const tid = targets[t].id;
    const rec = recused.get(tid);
    const tRegion = T.region[row];
    const tUnit = T.unit[row];
    for (const d of departments) {
      let nRecusal = 0, nRegion = 0, nc = 0;
      // With balance, the group of least load is gathered in the same pass.
      let minLoad = Infinity, ng = 0;
      const list = d.certified;
      const crossRegion = params.crossRegion;
      const crossUnit = params.crossUnit && tUnit !== -1;
      for (let x = 0; x < list.length; x++) {
        const i = list[x];
        if (rec !== undefined && rec.has(i)) continue;
        nRecusal++;
        if (crossRegion && iRegion[i] === tRegion) continue;
        nRegion++;
        if (crossUnit && iUnit[i] === tUnit) continue;
        cand[nc++] = i;
        const l = load[i];
        if (l < minLoad) {
          minLoad = l;
          ng = 0;
          group[ng++] = i;
        } else if (l === minLoad) {
          group[ng++] = i;
        }
      }
      const remaining = [d.dept, d.qualified, list.length, nRecusal, nRegion, nc];
      const at = remaining.findIndex((v) => v < K);
      if (at !== -1) {
        failure = { target: tid, department: d.name, rule: RULES[at], remaining: remaining[at], k: K };
        break outer;
      }
      const chosen = [];
      if (!params.balance) {
        for (const rank of kOfN(nc, K, stream)) chosen.push(cand[rank]);
      } else {
        // Groups of equal load in increasing order of load, each in C's order (§8.3).
        let need = K;
        let level = minLoad;
        for (;;) {
          if (ng <= need) {
            for (let x = 0; x < ng; x++) chosen.push(group[x]);
            need -= ng;
          } else {
            for (const rank of kOfN(ng, need, stream)) chosen.push(group[rank]);
            need = 0;
          }
          if (need === 0) break;
          let next = Infinity;
          ng = 0;
          for (let x = 0; x < nc; x++) {
            const i = cand[x];
            const l = load[i];
            if (l <= level || l > next) continue;
            if (l < next) {
              next = l;
              ng = 0;
            }
            group[ng++] = i;
          }
          level = next;
        }
        for (const i of chosen) load[i]++;
      }
      assigns.push({ target: tid, department: d.name, inspectors: chosen.map((i) => inspectors[i].id) });
    }
  }
  if (onProgress) onProgress(1);
  return { strata, targets, assigns, status: failure ? 'failed' : 'complete', failure };
}

export function resultText(commitmentHex, draw) {
  const out = ['opendraw-result\t1', `commitment\t${commitmentHex}`, `status\t${draw.status}`];
  for (const s of draw.strata) out.push(`stratum\t${s.key}\t${s.pool}\t${s.quota}`);
  for (const t of draw.targets) out.push(`target\t${t.position}\t${t.key}\t${t.id}`);
  for (const a of draw.assigns) out.push(`assign\t${a.target}\t${a.department}\t${a.inspectors.join('\t')}`);
  const f = draw.failure;
  if (f) out.push(`failure\t${f.target}\t${f.department}\t${f.rule}\t${f.remaining}\t${f.k}`);
  return out.join('\n') + '\n';
}

/** Milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SS` read as UTC, or null. */
function localMillis(text) {
  const m = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})$/.exec(text);
  if (!m || !isDate(m[1])) return null;
  const [h, min, sec] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || min > 59 || sec > 59) return null;
  const [y, mo, d] = m[1].split('-').map(Number);
  return Date.UTC(y, mo - 1, d, h, min, sec);
}

/** §3.3: an entropy event time `YYYY-MM-DDTHH:MM:SS+HH:MM` as milliseconds since 1970, or null. */
export function eventTimeMillis(text) {
  const m = /^(.{19})([+-])([0-9]{2}):([0-9]{2})$/.exec(text);
  if (!m || `${m[2]}${m[3]}:${m[4]}` === '-00:00') return null;
  const local = localMillis(m[1]);
  const [oh, om] = [Number(m[3]), Number(m[4])];
  if (local === null || oh > 23 || om > 59) return null;
  const offset = (oh * 60 + om) * 60000;
  return m[2] === '+' ? local - offset : local + offset;
}

/** §15.1: a log entry's time `YYYY-MM-DDTHH:MM:SS.mmmZ` as milliseconds since 1970, or null. */
export function logTimeMillis(text) {
  const m = /^(.{19})\.([0-9]{3})Z$/.exec(String(text));
  if (!m) return null;
  const local = localMillis(m[1]);
  return local === null ? null : local + Number(m[2]);
}

function commitmentText(digests, secretHashHex, format, source, digestHex, event = null) {
  return (
    'opendraw-commitment\t1\n' +
    `parameters\t${digests['parameters.tsv']}\n` +
    `targets\t${digests['targets.tsv']}\n` +
    `inspectors\t${digests['inspectors.tsv']}\n` +
    `recusals\t${digests['recusals.tsv']}\n` +
    `secret-hash\t${secretHashHex}\n` +
    `entropy-format\t${format}\n` +
    `entropy-source\t${source}\n` +
    (event === null ? '' : `entropy-event\t${event}\n`) +
    `digest\t${digestHex}\n`
  );
}

async function commitmentDigest(digests, secretHash, format, source, event = null) {
  // The event time is a ninth field only when committed (§3.4); a drand
  // commitment's chain (raw bytes) and round (decimal) follow it.
  const eventField = event === null ? [] : [encoder.encode(event)];
  if (digests.drandChain) eventField.push(fromHex64(digests.drandChain), encoder.encode(digests.drandRound));
  return taggedHash('opendraw/v1/commitment', [
    encoder.encode('1'),
    fromHex64(digests['parameters.tsv']),
    fromHex64(digests['targets.tsv']),
    fromHex64(digests['inspectors.tsv']),
    fromHex64(digests['recusals.tsv']),
    secretHash,
    encoder.encode(format),
    encoder.encode(source),
    ...eventField,
  ]);
}

/** drand.tsv (§3.6): {chain, round, signature}. */
export function parseDrand(bytes) {
  const L = new Lines(asBytes(bytes, 'drand.tsv'), 'drand.tsv');
  L.magic('opendraw-drand\t1');
  const chain = hexField(L, L.take('chain', 2), 1, 'chain');
  const l = L.take('round', 2);
  const round = L.str(l, 1);
  if (!/^[1-9][0-9]{0,10}$/.test(round)) throw L.fail(`${quote(round)} is not a round number`, 'round', l.no);
  const s = L.take('signature', 2);
  const signature = L.str(s, 1);
  if (!/^[0-9a-f]{96}$/.test(signature)) throw L.fail('the signature is not 96 lowercase hex digits', 'signature', s.no);
  L.end();
  return { chain, round, signature };
}

/** The domain separation tag of quicknet's scheme, bls-unchained-g1-rfc9380 (§3.6). */
const DRAND_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

/** Lowercase hex to bytes; the caller has checked the digits. */
function hexBytes(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Whether `signatureHex` (96 lowercase hex digits, a compressed G1 point) is
 * the signature of `round` under quicknet's public key (§3.6 (3)): the
 * message SHA-256(u64be(round)) hashed to G1 with DRAND_DST (RFC 9380), and
 * the pairing check of BLS against the key on G2. The pairing code is
 * @noble/curves (vendor/, see its README.md), loaded only when a bundle
 * names a round. A signature that is not a point of G1 is not valid.
 */
export async function drandSignatureValid(round, signatureHex) {
  if (!/^[0-9a-f]{96}$/.test(signatureHex)) return false;
  const { bls12_381 } = await import('./vendor/noble-curves.js');
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(round));
  const bls = bls12_381.shortSignatures;
  try {
    return bls.verify(hexBytes(signatureHex), bls.hash(await sha256(message), DRAND_DST), hexBytes(QUICKNET.publicKey));
  } catch {
    return false;
  }
}

/** A round's entropy (§3.6): its randomness SHA-256(signature), in lowercase hex. */
export async function drandEntropy(signatureHex) {
  return toHex(await sha256(hexBytes(signatureHex)));
}

/**
 * A round, as a relay serves it, checked against a commitment's chain and
 * round (§3.6): `{entropy}` when it gives the commitment its entropy, else
 * `{refused}` naming the check that refused it: 'chain', 'round' or 'signature'.
 * @param {{chain: string, round: string | number}} committed
 * @param {{round: string | number, signature: string}} offered
 */
export async function checkDrandRound(committed, offered) {
  if (committed.chain !== QUICKNET.hash) return { refused: 'chain' };
  if (String(offered.round) !== String(committed.round)) return { refused: 'round' };
  if (!(await drandSignatureValid(String(offered.round), offered.signature))) return { refused: 'signature' };
  return { entropy: await drandEntropy(offered.signature) };
}

/**
 * The beacon checks of §10 check 5, each only when the one before passed:
 * the chain, the round and its time, the BLS signature, and the revealed
 * entropy as the round's randomness.
 */
async function beaconChecks(c, r, bytes, add) {
  if (bytes === null) {
    add('document', 'drand.tsv', false, `the commitment names drand round ${c.drandRound} of chain ${c.drandChain}; the bundle has no drand.tsv with its signature`);
    return;
  }
  let d;
  try {
    d = parseDrand(bytes);
  } catch (e) {
    add('document', 'drand.tsv', false, e.message);
    return;
  }
  if (d.chain !== c.drandChain) {
    add('beacon', 'chain', false, `drand.tsv names chain ${d.chain}, the commitment names ${c.drandChain}`);
    return;
  }
  if (c.drandChain !== QUICKNET.hash) {
    add('beacon', 'chain', false, `${c.drandChain} is not a drand chain this verifier knows`);
    return;
  }
  add('beacon', 'chain', true, `quicknet (${QUICKNET.hash.slice(0, 12)}…)`, { key: 'drandChain', chain: 'quicknet' });
  const roundMillis = (QUICKNET.genesis + (Number(c.drandRound) - 1) * QUICKNET.period) * 1000;
  if (d.round !== c.drandRound) {
    add('beacon', 'round', false, `drand.tsv holds round ${d.round}, the commitment names round ${c.drandRound}`, { key: 'drandOtherRound', found: d.round, round: c.drandRound });
    return;
  }
  if (eventTimeMillis(c.entropyEvent) !== roundMillis) {
    add('beacon', 'round', false, `the committed entropy event ${c.entropyEvent} is not the time of round ${c.drandRound}`);
    return;
  }
  add('beacon', 'round', true, `round ${c.drandRound}, produced at ${c.entropyEvent}, the committed entropy event`, { key: 'drandRound', round: c.drandRound, event: c.entropyEvent });
  if (!(await drandSignatureValid(d.round, d.signature))) {
    add('beacon', 'signature', false, `the signature is not a valid signature of round ${d.round} by chain quicknet`, { key: 'drandBadSignature', round: d.round });
    return;
  }
  add('beacon', 'signature', true, `valid for round ${d.round} under the quicknet public key`, { key: 'drandSignature', round: d.round });
  const entropy = await drandEntropy(d.signature);
  if (r.entropy === entropy) {
    add('beacon', 'entropy', true, `the revealed entropy is the round's randomness ${entropy}`, { key: 'drandEntropy', entropy });
  } else {
    add('beacon', 'entropy', false, `reveal.tsv states ${r.entropy}, the round's randomness SHA-256(signature) is ${entropy}`, { key: 'drandEntropyDiffers', found: r.entropy, entropy });
  }
}

function entropyProblem(format, entropy) {
  const problem = fieldTextProblem(entropy, 4096);
  if (problem) return `the entropy: ${problem}`;
  if (!ENTROPY_FORMATS[format].test(entropy)) {
    return `the entropy ${quote(entropy)} is not written in the committed format ${format} (${
      { dice: 'only 1 to 6', digits: 'only 0 to 9', hex: 'only 0-9 and a-f', drand: 'exactly 64 of 0-9 and a-f' }[format]
    }, nothing else)`;
  }
  return null;
}

/** Every derived value of a draw from its inputs, shaped like `expected` in draws.json. */
export async function recompute(files) {
  const bytes = {};
  for (const name of MANIFESTS) bytes[name] = asBytes(files[name], name);
  const params = parseParameters(bytes['parameters.tsv']);
  const T = parseTargets(bytes['targets.tsv']);
  const inspectors = parseInspectors(bytes['inspectors.tsv']);
  const recusals = parseRecusals(bytes['recusals.tsv']);
  const missing = missingQuotaRule(params, T);
  if (missing !== null) throw new ProtocolError('parameters.tsv', null, null, `stratum ${quote(missing)} has no quota rule`);
  const { secret, entropy_format: format, entropy_source: source, entropy } = files;
  const event = files.entropy_event ?? null;
  if (event !== null && eventTimeMillis(event) === null) throw new Error(`the entropy event ${quote(event)} is not YYYY-MM-DDTHH:MM:SS+HH:MM`);
  if (!Object.hasOwn(ENTROPY_FORMATS, format)) throw new Error(`unknown entropy format ${quote(format)}`);
  const sourceProblem = fieldTextProblem(source, 1024);
  if (sourceProblem) throw new Error(`the entropy source: ${sourceProblem}`);
  const eProblem = entropyProblem(format, entropy);
  if (eProblem) throw new Error(eProblem);
  const secretBytes = fromHex64(secret);
  const digests = {};
  for (const name of MANIFESTS) digests[name] = toHex(await sha256(bytes[name]));
  const secretHash = await taggedHash('opendraw/v1/secret', [secretBytes]);
  const commitment = await commitmentDigest(digests, secretHash, format, source, event);
  const commitmentHex = toHex(commitment);
  const seed = await taggedHash('opendraw/v1/seed', [commitment, secretBytes, encoder.encode(entropy)]);
  const seedHex = toHex(seed);
  const draw = computeDraw(params, T, inspectors, recusals, seed);
  const result = resultText(commitmentHex, draw);
  return {
    digests,
    secret_hash: toHex(secretHash),
    'commitment.tsv': commitmentText(digests, toHex(secretHash), format, source, commitmentHex, event),
    commitment_digest: commitmentHex,
    seed: seedHex,
    'reveal.tsv': `opendraw-reveal\t1\ncommitment\t${commitmentHex}\nsecret\t${secret}\nentropy\t${entropy}\nseed\t${seedHex}\n`,
    'result.tsv': result,
    result_digest: toHex(await sha256(encoder.encode(result))),
  };
}

// ---------------------------------------------------------------------------
// Replacements (§16)

/**
 * The random stream of replacement `number` (§16, 3): the stream of §5 keyed by
 * H("opendraw/v1/replacement", seed, number in decimal ASCII). Asynchronous, because the
 * tagged hash goes through WebCrypto: returns a Promise of a DrawStream.
 */
export async function replacementStream(seed, number) {
  if (!Number.isInteger(number) || number < 1) throw new RangeError(`replacement numbers are 1, 2, 3, … (got ${number})`);
  const key = await taggedHash('opendraw/v1/replacement', [asBytes(seed, 'seed'), encoder.encode(String(number))]);
  return new DrawStream(key);
}

/**
 * §8.2's candidate list for `target` ({id, region, unit}, unit '' or null when empty) and
 * `department`: every rule applied, inspector ids in manifest (id) order.
 */
export function candidateList(params, inspectors, recusals, target, department) {
  const recused = new Set();
  for (const [inspector, targetId] of recusals) if (targetId === target.id) recused.add(inspector);
  const unit = target.unit || '';
  const out = [];
  for (const ins of inspectors) {
    if (ins.department !== department) continue;
    if (!params.items.every((item) => ins.items.includes(item))) continue;
    if (!(params.certificateDate <= ins.expires)) continue; // ASCII dates of equal length
    if (recused.has(ins.id)) continue;
    if (params.crossRegion && ins.region === target.region) continue;
    if (params.crossUnit && unit !== '' && ins.unit === unit) continue;
    out.push(ins.id);
  }
  return out;
}

/**
 * The candidates of a replacement (§16, 2): the candidate list of §8.2 for `target` and
 * `department`, less every inspector of `current` (the current assignment of that target
 * for that department, the outgoing inspector included). Inspector ids, in id order.
 */
export function replacementCandidates(params, inspectors, recusals, target, department, current) {
  const taken = new Set(current);
  return candidateList(params, inspectors, recusals, target, department).filter((id) => !taken.has(id));
}

/** The row of target `id` in a parsed target manifest (ids are sorted bytewise), or -1. */
function findTargetRow(T, id) {
  const key = encoder.encode(id);
  let lo = 0;
  let hi = T.n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareRanges(T.buf, T.idS[mid], T.idE[mid], key, 0, key.length);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function targetOf(T, id) {
  const row = findTargetRow(T, id);
  if (row === -1) return null;
  return { id, region: T.regions.str(T.region[row]), unit: T.unit[row] === -1 ? '' : T.units.str(T.unit[row]) };
}

const assignKey = (target, department) => `${target}\t${department}`;

/** The current assignments of §16, 1, from assign lines: a Map "target⇥department" -> ids. */
function assignmentMap(assigns) {
  const map = new Map();
  for (const a of assigns) map.set(assignKey(a.target, a.department), a.inspectors.slice());
  return map;
}

/**
 * Draws replacement `number` of `out` for `targetId` and `department` (§16) against
 * `current` (from assignmentMap) without changing it. Returns {inspector, candidates,
 * position} or {problem}.
 */
async function drawReplacement(ctx, current, number, targetId, department, out) {
  const where = `target ${quote(targetId)}, department ${quote(department)}`;
  const assignment = current.get(assignKey(targetId, department));
  if (!assignment) return { problem: `${where} has no assignment` };
  const position = assignment.indexOf(out);
  if (position === -1) return { problem: `${quote(out)} is not in the current assignment of ${where} (${assignment.join(', ')})` };
  const target = targetOf(ctx.T, targetId);
  if (!target) return { problem: `${quote(targetId)} is not in targets.tsv` };
  const candidates = replacementCandidates(ctx.params, ctx.inspectors, ctx.recusals, target, department, assignment);
  if (candidates.length === 0) return { problem: `no candidate is left for ${where}: there can be no replacement` };
  const stream = await replacementStream(ctx.seed, number);
  return { inspector: candidates[stream.uniformBelow(candidates.length)], candidates, position };
}

function applyReplacement(current, targetId, department, position, inspector) {
  const key = assignKey(targetId, department);
  const next = current.get(key).slice();
  next[position] = inspector;
  current.set(key, next);
}

/**
 * The key of replacement `number`'s logged line digest (§16):
 * H("opendraw/v1/replacement-line-key", seed, number in decimal ASCII).
 */
export async function replacementLineKey(seed, number) {
  if (!Number.isInteger(number) || number < 1) throw new RangeError(`replacement numbers are 1, 2, 3, … (got ${number})`);
  return taggedHash('opendraw/v1/replacement-line-key', [asBytes(seed, 'seed'), encoder.encode(String(number))]);
}

/** The keyed digest of a replacement's line that the log holds (`keyed_line`, §16), hex. */
export async function keyedLineDigest(seed, r) {
  const key = await replacementLineKey(seed, r.number);
  return toHex(await taggedHash('opendraw/v1/replacement-line', [key, encoder.encode(replacementLine(r))]));
}

/** The `replace` line of a replacement (§16), without its LF. */
export function replacementLine(r) {
  return `replace\t${r.number}\t${r.target}\t${r.department}\t${r.out}\t${r.in}\t${r.reason}`;
}

/** replacements.tsv (§16) for a commitment digest (hex) and replacements {number, target, department, out, in, reason}. */
export function replacementsText(commitmentHex, replacements) {
  let text = `opendraw-replacements\t1\ncommitment\t${commitmentHex}\n`;
  for (const r of replacements) text += replacementLine(r) + '\n';
  return text;
}

/**
 * Parses replacements.tsv (§16) strictly. Returns {commitment, replacements: [{number,
 * target, department, out, in, reason, line}]} (`line`: the line number in the file).
 */
export function parseReplacements(bytes) {
  const L = new Lines(asBytes(bytes, 'replacements.tsv'), 'replacements.tsv');
  L.magic('opendraw-replacements\t1');
  const commitment = hexField(L, L.take('commitment', 2), 1, 'commitment');
  const replacements = [];
  while (!L.done) {
    const l = L.take('replace', 7);
    const number = numberField(L, l, 1, 'number', 1, 4294967295);
    if (number !== replacements.length + 1) throw L.fail(`replacement ${number} where ${replacements.length + 1} comes next`, 'number', l.no);
    replacements.push({
      number,
      target: L.text(l, 2, 'target_id'),
      department: L.text(l, 3, 'department'),
      out: L.text(l, 4, 'out'),
      in: L.text(l, 5, 'in'),
      reason: L.text(l, 6, 'reason', 1024),
      line: l.no,
    });
  }
  return { commitment, replacements };
}

/**
 * Replays replacements (§16) on a draw. `files`: the four input files (parameters.tsv,
 * targets.tsv, inspectors.tsv, recusals.tsv), the draw's result.tsv and its seed (64 hex
 * digits or 32 bytes). `steps`: [{target, department, out, reason}] in order. Returns
 * {replacements: [inspector drawn in, …], line_keys: [key of each line digest, hex],
 * keyed_lines: [the keyed digest of each replace line, as logged, hex], line_digests:
 * [plain SHA-256 of each replace line, as logged before keyed digests, hex],
 * 'replacements.tsv': text}, for the commitment the result names. Throws on a step that
 * cannot be made.
 */
export async function replay(files, steps) {
  const get = (name) => asBytes(files instanceof Map ? files.get(name) : files[name], name);
  const params = parseParameters(get('parameters.tsv'));
  const T = parseTargets(get('targets.tsv'));
  const inspectors = parseInspectors(get('inspectors.tsv'));
  const recusals = parseRecusals(get('recusals.tsv'));
  const result = parseResult(get('result.tsv'));
  const seedValue = files instanceof Map ? files.get('seed') : files.seed;
  const seed = typeof seedValue === 'string' ? fromHex64(seedValue) : asBytes(seedValue, 'seed');
  if (seed.length !== 32) throw new TypeError('the seed is 32 bytes');
  const ctx = { params, T, inspectors, recusals, seed };
  const current = assignmentMap(result.assigns);
  const made = [];
  const lineDigests = [];
  const lineKeys = [];
  const keyedLines = [];
  for (const [i, s] of steps.entries()) {
    const number = i + 1;
    const reasonProblem = fieldTextProblem(s.reason, 1024);
    if (reasonProblem) throw new Error(`replacement ${number}: the reason: ${reasonProblem}`);
    const r = await drawReplacement(ctx, current, number, s.target, s.department, s.out);
    if (r.problem) throw new Error(`replacement ${number}: ${r.problem}`);
    applyReplacement(current, s.target, s.department, r.position, r.inspector);
    const rec = { number, target: s.target, department: s.department, out: s.out, in: r.inspector, reason: s.reason };
    made.push(rec);
    lineDigests.push(toHex(await sha256(encoder.encode(replacementLine(rec)))));
    lineKeys.push(toHex(await replacementLineKey(seed, number)));
    keyedLines.push(await keyedLineDigest(seed, rec));
  }
  return {
    replacements: made.map((r) => r.in),
    line_keys: lineKeys,
    keyed_lines: keyedLines,
    line_digests: lineDigests,
    'replacements.tsv': replacementsText(result.commitment, made),
  };
}

// ---------------------------------------------------------------------------
// The bundle (§11)

function readOctal(h, start, length, what) {
  if (h[start] & 0x80) {
    // GNU base-256
    let v = h[start] & 0x7f;
    for (let i = start + 1; i < start + length; i++) v = v * 256 + h[i];
    return v;
  }
  let i = start;
  const end = start + length;
  while (i < end && h[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = h[i];
    if (c >= 0x30 && c <= 0x37) {
      v = v * 8 + (c - 0x30);
      digits++;
    } else break;
  }
  for (; i < end; i++) {
    if (h[i] !== 0 && h[i] !== 0x20) throw new Error(`bundle: a tar header's ${what} field is not octal`);
  }
  if (digits === 0) throw new Error(`bundle: a tar header's ${what} field is empty`);
  return v;
}

function cString(h, start, length) {
  let e = start;
  while (e < start + length && h[e] !== 0) e++;
  return h.subarray(start, e);
}

function parsePax(data) {
  const out = {};
  let p = 0;
  while (p < data.length) {
    const sp = data.indexOf(0x20, p);
    if (sp === -1) throw new Error('bundle: a malformed pax header');
    const len = Number(plainDecoder.decode(data.subarray(p, sp)));
    if (!Number.isInteger(len) || len <= 0 || p + len > data.length) throw new Error('bundle: a malformed pax header');
    const rec = data.subarray(sp + 1, p + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq === -1) throw new Error('bundle: a malformed pax header');
    out[plainDecoder.decode(rec.subarray(0, eq))] = rec.subarray(eq + 1);
    p += len;
  }
  return out;
}

/**
 * Reads the ustar bundle of §11: a Map from member name to its bytes. The seven MEMBERS
 * must be there; replacements.tsv may be; anything else is refused.
 */
export function readTar(bytes) {
  const b = asBytes(bytes, 'bundle');
  return new TarReader({ length: b.length }).push(b).end();
}

/**
 * Reads a bundle (§11) as it arrives: `push` each piece of the archive in order, then
 * `end`, which returns what readTar returns and refuses what readTar refuses, in the same
 * order. `length`, when known, is the archive's length; `onData(name, piece, contents,
 * filled)` sees each piece of a member's contents as it arrives, `contents` holding the
 * first `filled` bytes of the member.
 */
export class TarReader {
  #length;
  #onData;
  #files = new Map();
  #p = 0; // bytes of the archive taken so far
  #header = new Uint8Array(512);
  #headerAt = 0;
  #headerFilled = 0;
  #member = null; // the member whose contents come next
  #padding = 0; // zero bytes still to skip after the last member's contents
  #nextName = null;
  #nextSize = null;
  #ended = false;

  constructor({ length = null, onData = null } = {}) {
    this.#length = length;
    this.#onData = onData;
  }

  /** Takes the next piece of the archive (a Uint8Array). */
  push(piece) {
    let i = 0;
    while (i < piece.length && !this.#ended) {
      let take;
      if (this.#member !== null) {
        take = this.#takeContents(piece, i);
      } else if (this.#padding > 0) {
        take = Math.min(this.#padding, piece.length - i);
        this.#padding -= take;
      } else {
        take = Math.min(512 - this.#headerFilled, piece.length - i);
        if (this.#headerFilled === 0) this.#headerAt = this.#p;
        if (this.#headerFilled === 0 && take === 512) {
          this.#readHeader(piece.subarray(i, i + 512), piece, i + 512);
        } else {
          this.#header.set(piece.subarray(i, i + take), this.#headerFilled);
          this.#headerFilled += take;
          if (this.#headerFilled === 512) {
            this.#headerFilled = 0;
            this.#readHeader(this.#header.slice(), piece, i + take);
          }
        }
      }
      i += take;
      this.#p += take;
    }
    return this;
  }

  /** The members, once the whole archive has been pushed. */
  end() {
    if (this.#member !== null) throw new Error('bundle: the archive is truncated');
    // §11: writers end the archive with zero blocks. Their absence alone hides nothing (every
    // member is checked below), but an archive that stops inside a block is truncated.
    if (!this.#ended && (this.#padding > 0 || this.#headerFilled > 0)) {
      throw new Error('bundle: the archive is truncated (it stops inside a 512-byte block)');
    }
    for (const name of MEMBERS) if (!this.#files.has(name)) throw new Error(`bundle: missing member ${quote(name)}`);
    return this.#files;
  }

  // A whole header block `h`; the archive continues in `piece` at `next`.
  #readHeader(h, piece, next) {
    const at = this.#headerAt;
    if (h.every((x) => x === 0)) {
      this.#ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    const stated = readOctal(h, 148, 8, 'checksum');
    if (stated !== sum) throw new Error(`bundle: a tar header at byte ${at} has a bad checksum`);
    const type = h[156];
    let size = readOctal(h, 124, 12, 'size');
    if (this.#nextSize !== null && (type === 0x30 || type === 0)) size = this.#nextSize;
    if (this.#length !== null && at + 512 + size > this.#length) throw new Error('bundle: the archive is truncated');
    const member = { type, size, header: h, name: null, problem: null, contents: null, filled: 0 };
    if (type !== 0x78 && type !== 0x67 && type !== 0x4c) this.#name(member);
    // Contents that have all arrived in this piece are taken without a copy.
    if (piece.length - next >= size) member.contents = piece.subarray(next, next + size);
    this.#member = member;
    if (size === 0) this.#complete();
  }

  // The name of a regular member; a member readTar refuses is refused once its contents
  // are there, as readTar does.
  #name(member) {
    let name = this.#nextName;
    this.#nextName = null;
    this.#nextSize = null;
    try {
      if (name === null) {
        const h = member.header;
        try {
          name = fatalDecoder.decode(cString(h, 0, 100));
          const magic = plainDecoder.decode(h.subarray(257, 262));
          const prefix = magic === 'ustar' ? fatalDecoder.decode(cString(h, 345, 155)) : '';
          if (prefix) name = `${prefix}/${name}`;
        } catch {
          throw new Error('bundle: a member name that is not UTF-8');
        }
      }
      if (!MEMBERS.includes(name) && !OPTIONAL_MEMBERS.includes(name)) throw new Error(`bundle: unknown member ${quote(name)}`);
      if (this.#files.has(name)) throw new Error(`bundle: repeated member ${quote(name)}`);
      if (member.type !== 0x30 && member.type !== 0) {
        throw new Error(`bundle: member ${quote(name)} is not a regular file (tar type ${quote(String.fromCharCode(member.type))})`);
      }
      member.name = name;
    } catch (e) {
      member.problem = e;
    }
  }

  // Takes what piece[i..] holds of the member's contents; returns how many bytes.
  #takeContents(piece, i) {
    const m = this.#member;
    const take = Math.min(m.size - m.filled, piece.length - i);
    const part = piece.subarray(i, i + take);
    const kept = m.problem === null && m.type !== 0x67;
    if (kept && m.contents === null) {
      try {
        m.contents = new Uint8Array(m.size);
      } catch {
        throw new Error(`bundle: a member of ${m.size} bytes is more than this verifier can hold`);
      }
    }
    if (kept && (m.contents.buffer !== piece.buffer || m.contents.byteOffset !== part.byteOffset - m.filled)) {
      m.contents.set(part, m.filled);
    }
    m.filled += take;
    if (m.name !== null && this.#onData) this.#onData(m.name, part, m.contents, m.filled);
    if (m.filled === m.size) this.#complete();
    return take;
  }

  // The current member's contents are all there.
  #complete() {
    const m = this.#member;
    this.#member = null;
    this.#padding = Math.ceil(m.size / 512) * 512 - m.size;
    const data = m.contents ?? new Uint8Array(0);
    if (m.type === 0x78 /* x */) {
      const pax = parsePax(data);
      if (pax.path) this.#nextName = fatalDecoder.decode(pax.path);
      if (pax.size) this.#nextSize = Number(plainDecoder.decode(pax.size));
      return;
    }
    if (m.type === 0x67 /* g */) return;
    if (m.type === 0x4c /* L */) {
      this.#nextName = fatalDecoder.decode(cString(data, 0, data.length));
      return;
    }
    if (m.problem) throw m.problem;
    this.#files.set(m.name, data);
  }
}

// ---------------------------------------------------------------------------
// Verification (§10)

function normaliseFiles(files) {
  if (files instanceof Uint8Array || files instanceof ArrayBuffer) return readTar(files);
  const map = new Map();
  const entries = files instanceof Map ? files.entries() : Object.entries(files);
  for (const [name, value] of entries) map.set(name, asBytes(value, name));
  return map;
}

function firstDifference(label, expected, found) {
  return `${label}: expected ${expected}, found ${found}`;
}

/**
 * Verifies a bundle (§10). `pins`: what the public log holds of the task, each null when
 * not given — {commitment, result: digests (hex), replacements: the line digests of its
 * task.replaced entries in number order (hex; [] when it has none), committedAt: the time
 * of its task.committed entry}, and what the reader has from the server: logKey (the log's
 * verifier key, which log.tsv must be signed with) and witnesses (the verifier keys of the
 * witnesses it lists, which check their cosignatures in log.tsv). The report's `verified` says every check passed; `pinned`
 * says the commitment, result and replacement pins were all given, so that the bundle is
 * the one the log holds and not merely consistent with itself. `prepared`, from verifyStream,
 * holds what was worked out while the bundle arrived: {digests: a Map from manifest name to
 * its SHA-256 (hex), targets: a function that returns the parsed target manifest}.
 */
export async function verifyBundle(files, pins = { commitment: null, result: null, replacements: null, committedAt: null }, onProgress = () => {}, prepared = null) {
  const checks = [];
  // Things worth knowing that pass or fail nothing, in the form of checks.
  const notes = [];
  // `message`, when given, is the detail as a message key and its values
  // ({key, ...values}), so that a page can say it in its own language; the
  // English `detail` stays what the command line prints.
  const add = (kind, subject, passed, detail, message = null) => {
    checks.push({ kind, subject, passed, detail, message });
    return passed;
  };
  const report = () => {
    const failed = checks.find((c) => !c.passed);
    return {
      verified: checks.length > 0 && !failed,
      pinned: pinCommitment !== null && pinResult !== null && pinReplacements !== null,
      checks,
      notes,
      firstFailure: failed ? { kind: failed.kind, subject: failed.subject, detail: failed.detail, message: failed.message } : null,
    };
  };
  const progress = (fraction, label) => {
    try {
      onProgress(Math.max(0, Math.min(1, fraction)), label);
    } catch {
      // a progress callback must not break verification
    }
  };
  pins = pins || {};
  let pinCommitment = pins.commitment ?? null;
  let pinResult = pins.result ?? null;
  let pinReplacements = pins.replacements ?? null;
  // The time of the task's task.committed log entry (§15.1), when known.
  let committedAt = pins.committedAt ?? pins.committed_at ?? null;

  progress(0, 'reading the bundle');
  const f = normaliseFiles(files);
  for (const name of MEMBERS) {
    if (!f.has(name)) {
      add('document', name, false, `${name} is missing from the bundle`, { key: 'missing', name });
      return report();
    }
  }

  // 1. The commitment document.
  let c;
  try {
    c = parseCommitment(f.get('commitment.tsv'));
  } catch (e) {
    add('document', 'commitment.tsv', false, e.message);
    return report();
  }

  // 1, continued: the bundle's own proof that the public log holds the task (§15.6). The
  // entries it proves pin the bundle when the caller gave no pins; either way the
  // commitment and result digests they hold must be the bundle's.
  if (f.has('log.tsv')) {
    progress(0.01, 'checking the log proof');
    const roundTime = c.drandChain !== null && c.entropyEvent !== null ? eventTimeMillis(c.entropyEvent) : null;
    const proven = await checkLogProof(f.get('log.tsv'), c.digest, { trustedKey: pins.logKey ?? null, task: pins.task ?? null, roundTime, witnesses: pins.witnesses ?? null });
    checks.push(...proven.checks);
    notes.push(...proven.notes);
    const logged = proven.pins;
    if (logged !== null) {
      if (logged.commitment === c.digest) add('log-pins', 'commitment', true, `the logged commitment ${logged.commitment} is the one commitment.tsv states`, { key: 'logPinCommitment', digest: logged.commitment });
      else add('log-pins', 'commitment', false, firstDifference('commitment digest', `${logged.commitment} (log.tsv)`, `${c.digest} (commitment.tsv)`));
      // The result file itself is held to the logged digest where the draw's
      // own checks reach it (8. below), so that a changed result.tsv is named by
      // its first difference from the recomputed draw, as without log.tsv.
      if (logged.result === null) add('log-pins', 'result', false, 'log.tsv holds no task.drawn entry, so no result digest');
      else if (pinResult !== null && pinResult !== logged.result) add('log-pins', 'result', false, firstDifference('result digest', `${logged.result} (log.tsv)`, `${pinResult} (the public log)`));
      if (pinReplacements !== null && pinReplacements.join(',') !== logged.replacements.join(',')) {
        add('log-pins', 'replacements', false, `log.tsv holds ${logged.replacements.length} replacement digest(s), the public log ${pinReplacements.length}, not the same`);
      }
      if (pinCommitment === null && pinResult === null && pinReplacements === null) {
        pinCommitment = logged.commitment;
        pinResult = logged.result;
        pinReplacements = logged.replacements;
      }
      if (committedAt === null) committedAt = logged.committedAt;
    }
  }

  // 2. File digests.
  const sizes = MANIFESTS.map((n) => f.get(n).length);
  const totalSize = sizes.reduce((a, x) => a + x, 0) || 1;
  let hashed = 0;
  for (let i = 0; i < MANIFESTS.length; i++) {
    const name = MANIFESTS[i];
    progress(0.02 + (0.18 * hashed) / totalSize, `hashing ${name}`);
    const digest = prepared?.digests?.get(name) ?? toHex(await sha256(f.get(name)));
    hashed += sizes[i];
    if (digest === c[name]) add('file-digest', name, true, `SHA-256 ${digest}, as committed`, { key: 'digestAsCommitted', digest });
    else add('file-digest', name, false, firstDifference(`SHA-256 of ${name}`, `${c[name]} (the committed digest)`, digest), { key: 'digestDiffers', name, expected: c[name], found: digest });
  }
  progress(0.2, 'checking the commitment');

  // 3. The commitment digest, from the digests and values commitment.tsv states.
  const secretHashBytes = fromHex64(c.secretHash);
  const commitment = await commitmentDigest(c, secretHashBytes, c.entropyFormat, c.entropySource, c.entropyEvent);
  const commitmentHex = toHex(commitment);
  {
    const problems = [];
    if (commitmentHex !== c.digest) problems.push(firstDifference('commitment digest', `${commitmentHex} (recomputed)`, `${c.digest} (stated in commitment.tsv)`));
    if (pinCommitment !== null && pinCommitment !== commitmentHex) {
      problems.push(firstDifference('commitment digest', `${pinCommitment} (the public log)`, `${commitmentHex} (recomputed)`));
    }
    if (problems.length) add('commitment', 'digest', false, problems.join('; '));
    else if (pinCommitment !== null) add('commitment', 'digest', true, `${commitmentHex}: recomputed, as stated, and as in the public log`, { key: 'commitmentLogged', digest: commitmentHex });
    else add('commitment', 'digest', true, `${commitmentHex}: recomputed and as stated; consistent, compare it with the public log`, { key: 'commitmentConsistent', digest: commitmentHex });
  }

  // 3, continued: the entropy must come into being after the commitment (§3.3).
  if (c.entropyEvent !== null) {
    const event = eventTimeMillis(c.entropyEvent);
    const at = committedAt === null ? null : logTimeMillis(committedAt);
    if (committedAt === null) {
      add('entropy-time', 'after the commitment', true, `the entropy comes into being at ${c.entropyEvent}; commitment time unknown: compare it with the time of the task's task.committed log entry`, { key: 'entropyTimeUnknown', event: c.entropyEvent });
    } else if (at === null) {
      add('entropy-time', 'after the commitment', false, `the commitment time ${quote(committedAt)} is not a log time (§15.1)`, { key: 'commitTimeBad', at: committedAt });
    } else if (event > at) {
      add('entropy-time', 'after the commitment', true, `the entropy comes into being at ${c.entropyEvent}, after the commitment at ${committedAt}`, { key: 'entropyAfter', event: c.entropyEvent, at: committedAt });
    } else {
      add('entropy-time', 'after the commitment', false, `the entropy event ${c.entropyEvent} is not after the commitment at ${committedAt}: the entropy may have been known when the draw was committed`, { key: 'entropyNotAfter', event: c.entropyEvent, at: committedAt });
    }
  }

  // 4. The reveal and the secret.
  let r;
  try {
    r = parseReveal(f.get('reveal.tsv'));
  } catch (e) {
    add('document', 'reveal.tsv', false, e.message);
    return report();
  }
  const secret = fromHex64(r.secret);
  const secretHash = toHex(await taggedHash('opendraw/v1/secret', [secret]));
  if (secretHash === c.secretHash) add('secret', 'against its hash', true, `the revealed secret hashes to the committed ${secretHash}`, { key: 'secretHash', hash: secretHash });
  else add('secret', 'against its hash', false, firstDifference('hash of the revealed secret', `${c.secretHash} (committed)`, secretHash), { key: 'secretHashDiffers', expected: c.secretHash, found: secretHash });

  // 5. The seed.
  const seed = await taggedHash('opendraw/v1/seed', [commitment, secret, encoder.encode(r.entropy)]);
  const seedHex = toHex(seed);
  {
    const problems = [];
    if (r.commitment !== commitmentHex) problems.push(firstDifference('the reveal names commitment', commitmentHex, r.commitment));
    const eProblem = entropyProblem(c.entropyFormat, r.entropy);
    if (eProblem) problems.push(eProblem);
    if (seedHex !== r.seed) problems.push(firstDifference('seed', `${seedHex} (derived)`, `${r.seed} (stated in reveal.tsv)`));
    if (problems.length) add('seed', 'derivation', false, problems.join('; '));
    else add('seed', 'derivation', true, `${seedHex}, from the commitment, the secret and the entropy ${quote(r.entropy)} (${c.entropyFormat})`, { key: 'seed', seed: seedHex, entropy: r.entropy, format: c.entropyFormat });
  }

  // 5, continued: the drand round (§3.6, §10 check 5).
  if (c.drandChain !== null) {
    await beaconChecks(c, r, f.has('drand.tsv') ? f.get('drand.tsv') : null, add);
  } else if (f.has('drand.tsv')) {
    add('document', 'drand.tsv', false, 'the commitment names no drand round, so the bundle has no drand.tsv');
  }

  // 6. The parameters and manifests; recompute the draw.
  progress(0.22, 'reading parameters.tsv');
  let params, T, inspectors, recusals;
  const step = async (name, fn) => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      add('document', name, false, e.message);
      return undefined;
    }
  };
  params = await step('parameters.tsv', () => parseParameters(f.get('parameters.tsv')));
  if (!params) return report();
  progress(0.24, 'reading targets.tsv');
  T = await step('targets.tsv', () => (prepared?.targets ? prepared.targets() : parseTargets(f.get('targets.tsv'), (x) => progress(0.24 + 0.36 * x, 'reading targets.tsv'))));
  if (!T) return report();
  progress(0.6, 'reading inspectors.tsv');
  inspectors = await step('inspectors.tsv', () => parseInspectors(f.get('inspectors.tsv')));
  if (!inspectors) return report();
  progress(0.62, 'reading recusals.tsv');
  recusals = await step('recusals.tsv', () => parseRecusals(f.get('recusals.tsv')));
  if (!recusals) return report();
  for (const [item, cap] of params.frequencyCaps) {
    add('frequency-cap', item, true, capDetail(cap), { key: 'frequencyCap', item, times: cap.times, year: cap.year });
  }
  const missing = missingQuotaRule(params, T);
  if (missing !== null) {
    add('document', 'parameters.tsv', false, `stratum ${quote(missing)} of targets.tsv has no quota rule (no stratum-quota line and default-quota none): the commitment describes no draw`);
    return report();
  }
  progress(0.64, 'drawing');
  const draw = computeDraw(params, T, inspectors, recusals, seed, (x) => progress(0.64 + 0.3 * x, 'drawing'));

  // 7. The published result against the recomputed one.
  progress(0.95, 'comparing the result');
  let pub;
  const resultBytes = f.get('result.tsv');
  try {
    pub = parseResult(resultBytes);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    add('document', 'result.tsv', false, e.message);
    return report();
  }
  if (pub.commitment !== commitmentHex) {
    add('document', 'result.tsv', false, firstDifference('result.tsv names commitment', `${commitmentHex} (recomputed)`, pub.commitment));
  }
  const pubStrata = new Map(pub.strata.map((s) => [s.key, s]));
  const pubTargets = new Map();
  for (const t of pub.targets) {
    if (!pubTargets.has(t.key)) pubTargets.set(t.key, []);
    pubTargets.get(t.key).push(t);
  }
  let position = 0;
  for (const s of draw.strata) {
    const first = position + 1;
    position += s.ids.length;
    const p = pubStrata.get(s.key);
    if (!p) {
      add('stratum', s.key, false, `stratum ${quote(s.key)} (${s.pool} targets, ${s.quota} drawn) is missing from the published result`, { key: 'stratumMissing', stratum: s.key, pool: s.pool, quota: s.quota });
      continue;
    }
    if (p.pool !== s.pool) {
      add('stratum', s.key, false, firstDifference(`pool size of stratum ${s.key}`, s.pool, p.pool));
      continue;
    }
    if (p.quota !== s.quota) {
      add('stratum', s.key, false, firstDifference(`quota of stratum ${s.key}`, s.quota, p.quota));
      continue;
    }
    // The drawn targets of the stratum, in order. (Their absolute positions shift when an
    // earlier stratum differs; that stratum fails, and the result digest covers the rest.)
    const published = pubTargets.get(s.key) || [];
    let problem = null;
    for (let i = 0; i < Math.max(s.ids.length, published.length) && !problem; i++) {
      const where = `draw ${i + 1} of stratum ${s.key} (position ${first + i})`;
      if (i >= s.ids.length) problem = `${where}: expected no further target, found ${quote(published[i].id)}`;
      else if (i >= published.length) problem = `${where}: expected target ${quote(s.ids[i])}, found none`;
      else if (published[i].id !== s.ids[i]) problem = `${where}: expected target ${quote(s.ids[i])}, found ${quote(published[i].id)}`;
    }
    if (problem) add('stratum', s.key, false, problem);
    else add('stratum', s.key, true, `${s.pool} targets, ${s.quota} drawn, the same in the same order`, { key: 'stratum', pool: s.pool, quota: s.quota });
  }
  const known = new Set(draw.strata.map((s) => s.key));
  for (const p of pub.strata) {
    if (!known.has(p.key)) add('stratum', p.key, false, `the published result has a stratum ${quote(p.key)} that the target manifest does not have`);
  }
  {
    let problem = null;
    const n = Math.max(draw.assigns.length, pub.assigns.length);
    for (let i = 0; i < n && !problem; i++) {
      const a = draw.assigns[i];
      const b = pub.assigns[i];
      if (!b) problem = `assignment ${i + 1} (target ${quote(a.target)}, ${a.department}) is missing from the published result`;
      else if (!a) problem = `the published result has an extra assignment ${i + 1} (target ${quote(b.target)}, ${b.department})`;
      else if (a.target !== b.target) problem = firstDifference(`assignment ${i + 1}`, `target ${quote(a.target)}`, `target ${quote(b.target)}`);
      else if (a.department !== b.department) problem = firstDifference(`assignment ${i + 1} (target ${quote(a.target)})`, `department ${quote(a.department)}`, quote(b.department));
      else if (a.inspectors.join('\t') !== b.inspectors.join('\t')) {
        problem = firstDifference(`inspectors of target ${quote(a.target)} for ${a.department}`, a.inspectors.join(', '), b.inspectors.join(', '));
      }
    }
    if (problem) add('inspectors', 'of every target', false, problem);
    else add('inspectors', 'of every target', true, `${draw.assigns.length} assignments, the same inspectors in the same order`, { key: 'inspectors', n: draw.assigns.length });
  }
  {
    const describe = (status, fl) => (fl ? `${status}: target ${quote(fl.target)}, department ${fl.department}, rule ${fl.rule}, ${fl.remaining} left of ${fl.k} needed` : status);
    const expected = describe(draw.status, draw.failure);
    const found = describe(pub.status, pub.failure);
    if (expected === found) add('outcome', 'status', true, expected, { key: 'outcome', status: expected });
    else add('outcome', 'status', false, firstDifference('outcome', expected, found), { key: 'outcomeDiffers', expected, found });
  }

  // 8. The result digest.
  const recomputedText = resultText(commitmentHex, draw);
  const recomputedDigest = toHex(await sha256(encoder.encode(recomputedText)));
  const publishedDigest = toHex(await sha256(resultBytes));
  {
    const problems = [];
    if (publishedDigest !== recomputedDigest) {
      problems.push(firstDifference('SHA-256 of result.tsv', `${recomputedDigest} (recomputed)`, `${publishedDigest} (published)`) + firstLineDifference(recomputedText, resultBytes));
    }
    if (pinResult !== null && pinResult !== publishedDigest) {
      problems.push(firstDifference('result digest', `${pinResult} (the public log)`, `${publishedDigest} (published result.tsv)`));
    }
    if (problems.length) add('result-digest', 'result.tsv', false, problems.join('; '));
    else if (pinResult !== null) add('result-digest', 'result.tsv', true, `${publishedDigest}: recomputed, published, and as in the public log`, { key: 'resultLogged', digest: publishedDigest });
    else add('result-digest', 'result.tsv', true, `${publishedDigest}: recomputed and published alike; consistent, compare it with the public log`, { key: 'resultConsistent', digest: publishedDigest });
  }

  // 9. The replacements, when the bundle has them (§16), and against the log's digests.
  let published = [];
  if (f.has('replacements.tsv')) {
    progress(0.97, 'checking the replacements');
    let rep;
    try {
      rep = parseReplacements(f.get('replacements.tsv'));
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      add('document', 'replacements.tsv', false, e.message);
      return report();
    }
    if (rep.commitment !== commitmentHex) {
      add('document', 'replacements.tsv', false, firstDifference('replacements.tsv names commitment', `${commitmentHex} (recomputed)`, rep.commitment));
      return report();
    }
    // From the recomputed assignments with the earlier replacements applied as published
    // (the record of who was actually sent): each replacement is checked against the
    // assignment that record describes, as the reference CLI does.
    const ctx = { params, T, inspectors, recusals, seed };
    const current = assignmentMap(draw.assigns);
    for (const x of rep.replacements) {
      const what = `replacement ${x.number} of ${quote(x.out)} for target ${quote(x.target)}, department ${quote(x.department)}`;
      const r = await drawReplacement(ctx, current, x.number, x.target, x.department, x.out);
      if (r.problem) {
        add('replacement', String(x.number), false, `${what}: ${r.problem}; expected no replacement, found ${quote(x.in)}`);
        continue;
      }
      applyReplacement(current, x.target, x.department, r.position, x.in);
      const n = r.candidates.length;
      if (r.inspector === x.in) add('replacement', String(x.number), true, `${what}: ${quote(x.in)}, drawn from ${n} candidate${n === 1 ? '' : 's'}`, { key: 'replacement', out: x.out, in: x.in, target: x.target, department: x.department, n });
      else add('replacement', String(x.number), false, firstDifference(`${what}: inspector drawn in (from ${n} candidate${n === 1 ? '' : 's'})`, quote(r.inspector), quote(x.in)));
    }
    published = rep.replacements;
  }
  if (pinReplacements !== null) {
    const problem = await replacementPinProblem(published, pinReplacements, seed, f.has('replacements.tsv'));
    if (problem) add('replacement-digests', 'replacements.tsv', false, problem);
    else if (published.length === 0) add('replacement-digests', 'replacements.tsv', true, 'no replacement, as in the public log', { key: 'noReplacements' });
    else add('replacement-digests', 'replacements.tsv', true, `${published.length} replacement${published.length === 1 ? '' : 's'}, each line as the public log holds it`, { key: 'replacements', n: published.length });
  }
  progress(1, 'done');
  return report();
}

// The share of the progress bar given to the download, during which the manifests are
// hashed and the target manifest read; the rest is verifyBundle's.
const DOWNLOAD_SHARE = 0.6;

/**
 * Verifies a bundle while it arrives: `source` is a ReadableStream of the archive (a fetch
 * response's body) or an async iterable of its pieces (Uint8Array); `length`, when known,
 * its length. The manifests are hashed and the target manifest is read piece by piece as
 * they come, so that little is left to do when the last byte is in. The report is
 * verifyBundle's for the same bytes; an archive readTar refuses is refused with its error.
 * `onProgress(fraction, label, downloading)`.
 */
export async function verifyStream(source, pins, onProgress = () => {}, length = null) {
  const hashers = new Map();
  let targets = null;
  const tar = new TarReader({
    length,
    onData(name, piece, contents, filled) {
      if (MANIFESTS.includes(name)) {
        if (!hashers.has(name)) hashers.set(name, new Sha256());
        hashers.get(name).update(piece);
      }
      if (name === 'targets.tsv') {
        if (targets === null) targets = new TargetsParser(contents);
        targets.advance(filled);
      }
    },
  });
  const progress = (fraction, label, downloading) => {
    try {
      onProgress(fraction, label, downloading);
    } catch {
      // a progress callback must not break verification
    }
  };
  progress(0, 'downloading the bundle', true);
  let received = 0;
  for await (const piece of piecesOf(source)) {
    tar.push(piece);
    received += piece.length;
    if (length) progress((DOWNLOAD_SHARE * Math.min(received, length)) / length, 'downloading the bundle', true);
  }
  const files = tar.end();
  const digests = new Map();
  for (const [name, hasher] of hashers) digests.set(name, toHex(hasher.digest()));
  const prepared = { digests, targets: targets === null ? null : () => targets.finish() };
  return verifyBundle(files, pins, (x, label) => progress(DOWNLOAD_SHARE + (1 - DOWNLOAD_SHARE) * x, label, false), prepared);
}

// The pieces of a ReadableStream or an async iterable, as Uint8Array; a stream left early
// (an archive refused halfway) is cancelled.
async function* piecesOf(source) {
  if (typeof source.getReader !== 'function') {
    for await (const piece of source) yield asBytes(piece, 'bundle');
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield asBytes(next.value, 'bundle');
    }
  } finally {
    if (!done) reader.cancel().catch(() => {});
  }
}

/**
 * Why the published replacements are not those the log holds, or null. A logged digest is
 * keyed (§16) or, in entries logged before keyed digests, the plain SHA-256 of the line.
 */
async function replacementPinProblem(published, logged, seed, hasFile) {
  if (!Array.isArray(logged)) return 'the replacement pins are not a list of digests';
  if (!hasFile && logged.length > 0) return `the public log holds ${logged.length} replacement${logged.length === 1 ? '' : 's'}; the bundle has no replacements.tsv`;
  for (let i = 0; i < Math.min(published.length, logged.length); i++) {
    const x = published[i];
    const keyed = await keyedLineDigest(seed, x);
    const plain = toHex(await sha256(encoder.encode(replacementLine(x))));
    if (logged[i] !== keyed && logged[i] !== plain) {
      return firstDifference(`line digest of replacement ${x.number}`, `${logged[i]} (the public log)`, `${keyed} (keyed, of the published line)`);
    }
  }
  if (published.length < logged.length) return `replacement ${published.length + 1} of the public log is missing: replacements.tsv has ${published.length} of its ${logged.length}`;
  if (published.length > logged.length) return `replacement ${logged.length + 1} is not in the public log, which holds ${logged.length}`;
  return null;
}

/**
 * The entries of a downloaded log file: a list of entries, or a page of them as
 * /api/public/log gives it. One page is not the log — a replacement logged after its
 * last entry would go unseen — so the entries must run from the first, and a page's
 * last entry must be the head it states.
 * @param {any} downloaded
 * @returns {any[]}
 */
export function wholeLog(downloaded) {
  const entries = Array.isArray(downloaded) ? downloaded : downloaded && downloaded.entries;
  if (!Array.isArray(entries)) throw new Error('not a list of log entries nor a page of them');
  entries.forEach((entry, index) => {
    if (entry.seq !== index + 1) {
      throw new Error(`entry ${entry.seq} stands where entry ${index + 1} should: the file must hold the whole log from its first entry`);
    }
  });
  const head = Array.isArray(downloaded) ? null : downloaded.head;
  if (head) {
    const last = entries[entries.length - 1];
    if (!last || last.seq !== head.seq || last.hash !== head.hash) {
      throw new Error(`the file holds entries up to ${last ? last.seq : 0} but states the log's head as entry ${head.seq}: it is one page, not the whole log; give the server's address, or download every page`);
    }
  }
  return entries;
}

/**
 * What the public log pins of one task's bundle (§10): {commitment, result, replacements,
 * committedAt}, from the entries of `task` (a number) among `entries` (the log, or the
 * task's timeline). Throws when the log holds no commitment of the task.
 */
export function pinsFromLog(entries, task) {
  const pins = { commitment: null, result: null, replacements: [], committedAt: null };
  for (const e of entries || []) {
    if (!e || String(e.task) !== String(task)) continue;
    let p;
    try {
      p = JSON.parse(e.payload);
    } catch {
      continue;
    }
    if (e.kind === 'task.committed') {
      pins.commitment = p.commitment ?? null;
      pins.committedAt = e.at ?? null;
    } else if (e.kind === 'task.drawn') pins.result = p.result ?? null;
    else if (e.kind === 'task.replaced') pins.replacements.push(replacedLineDigest(p));
  }
  if (pins.commitment === null) throw new Error(`the log holds no commitment of task ${task}`);
  return pins;
}

/** The task whose task.committed entry names the commitment digest `hex`, or null. */
export function taskCommittedTo(entries, hex) {
  for (const e of entries || []) {
    if (!e || e.kind !== 'task.committed') continue;
    try {
      if (JSON.parse(e.payload).commitment === hex) return e.task;
    } catch {
      // not JSON: verifyLog reports it
    }
  }
  return null;
}

/** A task.replaced payload's line digest: keyed_line, or line before keyed digests (§15.2). */
function replacedLineDigest(payload) {
  const has = (k) => payload[k] !== undefined && payload[k] !== null;
  if (has('keyed_line') && has('line')) return null;
  return has('keyed_line') ? payload.keyed_line : has('line') ? payload.line : null;
}

function firstLineDifference(expectedText, publishedBytes) {
  const a = expectedText.split('\n');
  const b = plainDecoder.decode(publishedBytes).split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (x) => (x === undefined ? 'nothing' : quote(x.replaceAll('\t', '⇥')));
      return ` (first difference at line ${i + 1}: expected ${show(a[i])}, found ${show(b[i])})`;
    }
  }
  return '';
}

// ---------------------------------------------------------------------------
// The public log (§15)

const ZERO_HASH = '0'.repeat(64);
const AT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;
const NEXT = {
  'task.created': [null],
  'task.committed': ['task.created'],
  'task.drawn': ['task.committed'],
  'task.revealed': ['task.drawn'],
  'task.abandoned': ['task.created', 'task.committed', 'task.drawn'],
  // §16: after the draw (before or after the reveal); it does not change the task's state.
  'task.replaced': ['task.drawn', 'task.revealed'],
};

export async function verifyLog(entries) {
  const problems = [];
  const tasks = new Map(); // task -> {last, committed, drawn}
  let prevHash = ZERO_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    const where = `entry ${e && e.seq}`;
    if (!e || typeof e !== 'object') {
      problems.push(`entry ${expectedSeq}: not an object`);
      continue;
    }
    if (e.seq !== expectedSeq) problems.push(`${where}: sequence number ${e.seq} where ${expectedSeq} comes next`);
    expectedSeq = (Number.isInteger(e.seq) ? e.seq : expectedSeq) + 1;
    if (typeof e.at !== 'string' || !AT.test(e.at)) problems.push(`${where}: time ${quote(e.at)} is not RFC 3339 UTC with milliseconds`);
    if (e.prev_hash !== prevHash) problems.push(`${where}: prev_hash ${e.prev_hash} is not the previous entry's hash ${prevHash}`);
    if (typeof e.payload !== 'string') {
      problems.push(`${where}: the payload is not a JSON text`);
      prevHash = e.hash;
      continue;
    }
    const payloadDigest = toHex(await sha256(encoder.encode(e.payload)));
    if (payloadDigest !== e.payload_digest) problems.push(`${where}: payload_digest ${e.payload_digest} does not match the payload (${payloadDigest})`);
    let hash = null;
    try {
      hash = toHex(
        await taggedHash('opendraw/v1/log-entry', [
          encoder.encode(String(e.seq)),
          encoder.encode(e.at),
          encoder.encode(e.kind),
          encoder.encode(e.task === null || e.task === undefined ? '' : String(e.task)),
          encoder.encode(e.actor),
          fromHex64(e.payload_digest),
          fromHex64(e.prev_hash),
        ]),
      );
    } catch (err) {
      problems.push(`${where}: cannot compute its hash (${err.message})`);
    }
    if (hash !== null && hash !== e.hash) problems.push(`${where}: hash ${e.hash} does not recompute (${hash})`);
    prevHash = e.hash;

    if (typeof e.kind !== 'string' || !e.kind.startsWith('task.')) continue;
    if (!Object.hasOwn(NEXT, e.kind)) {
      problems.push(`${where}: unknown kind ${quote(e.kind)}`);
      continue;
    }
    let payload;
    try {
      payload = JSON.parse(e.payload);
    } catch {
      problems.push(`${where}: the payload is not valid JSON`);
      continue;
    }
    if (e.task === null || e.task === undefined) {
      problems.push(`${where}: ${e.kind} without a task`);
      continue;
    }
    const key = String(e.task);
    const state = tasks.get(key) || { last: null };
    if (!NEXT[e.kind].includes(state.last)) {
      problems.push(`${where}: task ${key}: ${e.kind} after ${state.last ?? 'nothing'}`);
    }
    if (e.kind === 'task.replaced') {
      // Numbered 1, 2, 3, … per task (§16), with the digest of the replace line: keyed_line,
      // or line in entries logged before keyed digests — one of them (§15.2).
      state.replaced = (state.replaced || 0) + 1;
      if (payload.replacement !== state.replaced) {
        problems.push(`${where}: task ${key}: replacement ${quote(payload.replacement)} where ${state.replaced} comes next`);
      }
      const digest = replacedLineDigest(payload);
      if (typeof digest !== 'string' || !HEX64.test(digest)) {
        problems.push(`${where}: task ${key}: the replacement needs one line digest (keyed_line, or line), 64 lowercase hex digits`);
      }
      tasks.set(key, state);
      continue;
    }
    const previous = state.last;
    state.last = e.kind;
    if (e.kind === 'task.committed') {
      state.committed = payload;
      // §3.3: the entropy comes into being after the commitment.
      if (payload.entropy_event !== undefined) {
        const event = eventTimeMillis(String(payload.entropy_event));
        const at = logTimeMillis(e.at);
        if (event === null) problems.push(`${where}: task ${key}: entropy event ${quote(payload.entropy_event)} is not a date and time with offset`);
        else if (at !== null && event <= at) problems.push(`${where}: task ${key}: the entropy event ${payload.entropy_event} is not after the commitment at ${e.at}`);
      }
    } else if (e.kind === 'task.drawn') {
      state.drawn = payload;
      if (state.committed && payload.commitment !== state.committed.commitment) {
        problems.push(`${where}: task ${key}: drawn for commitment ${payload.commitment}, committed ${state.committed.commitment}`);
      }
      const event = state.committed && state.committed.entropy_event !== undefined ? eventTimeMillis(String(state.committed.entropy_event)) : null;
      const at = logTimeMillis(e.at);
      if (event !== null && at !== null && at < event) {
        problems.push(`${where}: task ${key}: drawn at ${e.at}, before its entropy came into being at ${state.committed.entropy_event}`);
      }
    } else if (e.kind === 'task.abandoned' && previous === 'task.committed' && payload.secret !== undefined && payload.secret !== null && state.committed) {
      // A committed task abandoned publishes its secret (§15.2); older entries hold none.
      try {
        const sh = toHex(await taggedHash('opendraw/v1/secret', [fromHex64(payload.secret)]));
        if (sh !== state.committed.secret_hash) problems.push(`${where}: task ${key}: the secret published at the abandonment hashes to ${sh}, committed ${state.committed.secret_hash}`);
      } catch (err) {
        problems.push(`${where}: task ${key}: ${err.message}`);
      }
    } else if (e.kind === 'task.abandoned' && previous === 'task.drawn' && typeof payload.secret !== 'string') {
      problems.push(`${where}: task ${key}: abandoned after its draw without publishing the draw (secret, seed, result)`);
    } else if ((e.kind === 'task.revealed' || (e.kind === 'task.abandoned' && previous === 'task.drawn')) && state.committed && state.drawn) {
      const cm = state.committed;
      const dr = state.drawn;
      try {
        const secret = fromHex64(payload.secret);
        const sh = toHex(await taggedHash('opendraw/v1/secret', [secret]));
        if (sh !== cm.secret_hash) problems.push(`${where}: task ${key}: the revealed secret hashes to ${sh}, committed ${cm.secret_hash}`);
        const seed = toHex(await taggedHash('opendraw/v1/seed', [fromHex64(cm.commitment), secret, encoder.encode(String(dr.entropy))]));
        if (seed !== payload.seed) problems.push(`${where}: task ${key}: seed ${payload.seed}, derived ${seed}`);
      } catch (err) {
        problems.push(`${where}: task ${key}: ${err.message}`);
      }
      if (payload.result !== dr.result) problems.push(`${where}: task ${key}: revealed result ${payload.result}, logged at the draw ${dr.result}`);
      if (payload.commitment !== undefined && payload.commitment !== cm.commitment) {
        problems.push(`${where}: task ${key}: revealed for commitment ${payload.commitment}, committed ${cm.commitment}`);
      }
      if (payload.entropy !== undefined && payload.entropy !== dr.entropy) {
        problems.push(`${where}: task ${key}: revealed entropy ${quote(payload.entropy)}, drawn with ${quote(dr.entropy)}`);
      }
    }
    tasks.set(key, state);
  }
  const open = [];
  for (const [key, state] of tasks) {
    if (state.last === 'task.committed' || state.last === 'task.drawn') open.push(Number(key));
  }
  open.sort((a, b) => a - b);
  const head = entries.length ? entries[entries.length - 1].hash : ZERO_HASH;
  return { passed: problems.length === 0, problems, head, open };
}

// ---------------------------------------------------------------------------
// The bundle's log proof, log.tsv (§15.6): the task's log entries, each with
// its inclusion proof in a checkpoint the log's key signed, and, when
// witnesses cosigned one, an earlier checkpoint that holds the commitment,
// with the commitment's inclusion in it and its consistency with the first.

const LOG_PROOF_MAGIC = 'opendraw-log-proof\t1';
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const U64_MAX = 18446744073709551615n;

/** Standard base64 with its padding and no stray bits, as the server writes it; null otherwise. */
function strictBase64(text) {
  if (!BASE64_TEXT.test(text)) return null;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  let again = '';
  for (const b of out) again += String.fromCharCode(b);
  return btoa(again) === text ? out : null;
}

/** A decimal u64 as Rust's parser reads one (an optional '+', then digits): its canonical text, or null. */
function u64Text(text) {
  if (!/^\+?[0-9]+$/.test(text)) return null;
  const value = BigInt(text.replace(/^\+/, ''));
  return value <= U64_MAX ? value.toString() : null;
}

/** A hash of 64 lowercase hex digits, or why it is not one. */
function hashField(text) {
  const bad = /[^0-9a-f]/.exec(text);
  if (bad) return { problem: `invalid hex digit ${quote(bad[0])} at position ${bad.index + 1}` };
  if (text.length !== 64) return { problem: `a digest is 64 hex digits, not ${text.length}` };
  return { bytes: fromHex64(text) };
}

/**
 * Reads log.tsv as the reference implementation does, refusing what it refuses; each
 * entry's payload digest and chain hash (§15.1) are recomputed and must be the hash the
 * file states. Throws an Error naming the line it cannot read.
 * @returns {Promise<{key: string, checkpoint: Uint8Array, entries: {seq: string, at: string, kind: string, task: string|null, actor: string, payload: string, prevHash: string, hash: string, proof: Uint8Array[]}[], witnessed: null | {checkpoint: Uint8Array, seq: string, inclusion: Uint8Array[], consistency: Uint8Array[]}}>}
 */
export async function parseLogProof(bytes) {
  let text;
  try {
    text = fatalDecoder.decode(bytes);
  } catch {
    throw new Error('log.tsv is not UTF-8');
  }
  if (!text.endsWith('\n')) throw new Error('log.tsv does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== LOG_PROOF_MAGIC) throw new Error(`log.tsv does not start with ${quote(LOG_PROOF_MAGIC)}`);
  let key = null;
  let checkpoint = null;
  const entries = [];
  let witnessed = null;
  for (let i = 1; i < lines.length; i++) {
    const fail = (problem) => new Error(`log.tsv line ${i + 1}: ${problem}`);
    const fields = lines[i].split('\t');
    const note = (field) => {
      const out = strictBase64(field);
      if (out === null) throw fail('the checkpoint is not base64');
      return out;
    };
    const proof = (field) => {
      if (field === '') return [];
      return field.split(',').map((hash) => {
        if (!HEX64.test(hash)) throw fail(`${quote(hash)} is not a 64-digit hex hash`);
        return fromHex64(hash);
      });
    };
    const [name, n] = [fields[0], fields.length];
    if (name === 'key' && n === 2 && key === null) key = fields[1];
    else if (name === 'checkpoint' && n === 2 && checkpoint === null) checkpoint = note(fields[1]);
    else if (name === 'entry' && n === 10) {
      const number = (field, what) => {
        const value = u64Text(field);
        if (value === null) throw fail(`${what} ${quote(field)} is not a number`);
        return value;
      };
      const task = fields[4] === '' ? null : number(fields[4], 'the task');
      const payloadBytes = strictBase64(fields[6]);
      let payload = null;
      try {
        if (payloadBytes !== null) payload = fatalDecoder.decode(payloadBytes);
      } catch {
        payload = null;
      }
      if (payload === null) throw fail('the payload is not base64 of UTF-8 text');
      const seq = number(fields[1], 'the sequence number');
      const digest = (field) => {
        const parsed = hashField(field);
        if (parsed.problem) throw fail(parsed.problem);
        return parsed.bytes;
      };
      const prevHash = digest(fields[7]);
      const payloadDigest = await sha256(encoder.encode(payload));
      const hash = toHex(
        await taggedHash('opendraw/v1/log-entry', [
          encoder.encode(seq),
          encoder.encode(fields[2]),
          encoder.encode(fields[3]),
          encoder.encode(task ?? ''),
          encoder.encode(fields[5]),
          payloadDigest,
          prevHash,
        ]),
      );
      if (hash !== toHex(digest(fields[8]))) throw fail(`entry ${seq} does not hash to the hash it states`);
      entries.push({ seq, at: fields[2], kind: fields[3], task, actor: fields[5], payload, prevHash: fields[7], hash, proof: proof(fields[9]) });
    } else if (name === 'witnessed' && n === 5 && witnessed === null) {
      const checkpointBytes = note(fields[1]);
      const seq = u64Text(fields[2]);
      if (seq === null) throw fail(`${quote(fields[2])} is not a number`);
      witnessed = { checkpoint: checkpointBytes, seq, inclusion: proof(fields[3]), consistency: proof(fields[4]) };
    } else {
      throw fail(`an unexpected ${quote(name)} line of ${n} fields`);
    }
  }
  if (key === null) throw new Error('log.tsv names no key');
  if (checkpoint === null) throw new Error('log.tsv holds no checkpoint');
  return { key, checkpoint, entries, witnessed };
}

/** Seconds since the epoch as UTC, to the second. */
function utcSeconds(seconds) {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
}

/**
 * Checks the bundle's log.tsv (§15.6) for the task committed to `stated` (the commitment
 * digest commitment.tsv states, hex): the checkpoint's signature by the log's key — the
 * `trustedKey` the reader has (the server's /api/public/log/key), or else the key the file
 * names, which is then only shown —, each entry's inclusion in it, and the witnessed
 * checkpoint's inclusion of the commitment and consistency with the first. Its cosignatures
 * by the `witnesses` listed (their verifier keys as the server lists them at
 * /api/public/log/witnesses) are checked with their keys: a bad one fails, a valid one passes;
 * those of witnesses not listed are shown as notes, unchecked. For a drand task (`roundTime`,
 * milliseconds since the epoch) the earliest valid cosignature must come before the round;
 * with none checked, whether the first unchecked one did is a note.
 * Returns {checks, notes, pins: what the proven entries pin, when every check passed}; each
 * check and note is {kind, subject, passed, detail, message} as verifyBundle reports them.
 */
export async function checkLogProof(bytes, stated, { trustedKey = null, task = null, roundTime = null, witnesses = null } = {}) {
  const checks = [];
  const notes = [];
  const out = { checks, notes, pins: null };
  const add = (kind, subject, passed, detail, message = null) => {
    checks.push({ kind, subject, passed, detail, message });
    return passed;
  };
  const note = (kind, subject, detail, message = null) => notes.push({ kind, subject, passed: true, note: true, detail, message });
  let proof;
  try {
    proof = await parseLogProof(bytes);
  } catch (e) {
    add('log-proof', 'log.tsv', false, e.message);
    return out;
  }
  const [{ parseVerifierKey, parseWitnessKey, verifyCheckpoint, checkCosignatures }, { leafHash, verifyInclusion, verifyConsistency }] = await Promise.all([
    import('./lib/checkpoint.js'),
    import('./lib/merkle.js'),
  ]);
  let keyText = proof.key;
  if (trustedKey !== null) {
    if (trustedKey !== proof.key) {
      add('log-key', 'key', false, `the bundle names the log key ${proof.key}; the log's published key is ${trustedKey}`, { key: 'logKeyDiffers', found: proof.key, expected: trustedKey });
      return out;
    }
    add('log-key', 'key', true, `${proof.key}, the log's published key`, { key: 'logKey', logKey: proof.key });
  } else {
    note('log-key', 'key', `the checkpoint is checked with the key the bundle names, ${proof.key}; compare it with the log's published key`, { key: 'logKeyUnchecked', logKey: proof.key });
  }
  const open = async (noteBytes) => {
    const key = await parseVerifierKey(keyText);
    let noteText;
    try {
      noteText = fatalDecoder.decode(noteBytes);
    } catch {
      throw new Error('the checkpoint is not a signed note: it is not UTF-8');
    }
    return verifyCheckpoint(noteText, key);
  };
  let head;
  try {
    head = await open(proof.checkpoint);
  } catch (e) {
    add('log-checkpoint', 'checkpoint', false, e.message);
    return out;
  }
  add('log-checkpoint', 'checkpoint', true, `${head.size} entries, signed by ${head.origin}`, { key: 'logCheckpoint', size: head.size, origin: head.origin });

  // The task: the one committed to the bundle's commitment, and the one the page shows.
  const id = taskCommittedTo(proof.entries, stated);
  if (id === null || (task !== null && String(task) !== id)) {
    const detail = id === null ? `no entry of log.tsv commits a task to ${stated}, the bundle's commitment` : `log.tsv proves task ${id}, not task ${task}`;
    add('log-pins', 'commitment', false, detail);
    return out;
  }
  let committed = null;
  for (const entry of proof.entries) {
    const seq = Number(entry.seq);
    let problem = null;
    try {
      await verifyInclusion(seq - 1, head.size, await leafHash(fromHex64(entry.hash)), head.root, entry.proof);
    } catch (e) {
      problem = e.message;
    }
    if (problem === null && entry.task !== id) problem = `entry ${entry.seq} is not an entry of task ${id}`;
    if (problem !== null) {
      add('log-entry', entry.seq, false, `entry ${entry.seq} (${entry.kind}): ${problem}`);
      return out;
    }
    add('log-entry', entry.seq, true, `entry ${entry.seq} (${entry.kind}) is in the signed checkpoint`, { key: 'logEntry', seq: entry.seq, entryKind: entry.kind, size: head.size });
    if (entry.kind === 'task.committed') committed = entry;
  }
  const pins = { commitment: null, result: null, replacements: [], committedAt: null };
  for (const entry of proof.entries) {
    let payload;
    try {
      payload = JSON.parse(entry.payload);
    } catch {
      add('log-pins', entry.seq, false, `entry ${entry.seq}: the payload is not JSON`);
      return out;
    }
    const digest = (name) => {
      const value = payload[name];
      if (typeof value !== 'string' || !HEX64.test(value)) throw new Error(`entry ${entry.seq}: no ${name} of 64 lowercase hex digits`);
      return value;
    };
    try {
      if (entry.kind === 'task.committed') {
        pins.commitment = digest('commitment');
        pins.committedAt = entry.at;
      } else if (entry.kind === 'task.drawn') pins.result = digest('result');
      else if (entry.kind === 'task.replaced') {
        const line = replacedLineDigest(payload);
        if (typeof line !== 'string' || !HEX64.test(line)) throw new Error(`entry ${entry.seq}: the replacement needs one line digest`);
        pins.replacements.push(line);
      }
    } catch (e) {
      add('log-pins', entry.seq, false, e.message);
      return out;
    }
  }
  out.pins = pins;

  if (proof.witnessed === null) {
    note('log-witnessed', 'checkpoint', 'no witness cosigned a checkpoint holding the commitment', { key: 'logNotWitnessed' });
    return out;
  }
  const w = proof.witnessed;
  if (committed === null || committed.seq !== w.seq) {
    add('log-witnessed', 'checkpoint', false, `entry ${w.seq} is not the task's commitment`);
    out.pins = null;
    return out;
  }
  let early;
  try {
    early = await open(w.checkpoint);
    await verifyInclusion(Number(w.seq) - 1, early.size, await leafHash(fromHex64(committed.hash)), early.root, w.inclusion);
    await verifyConsistency(early.size, head.size, early.root, head.root, w.consistency);
  } catch (e) {
    add('log-witnessed', 'checkpoint', false, e.message);
    out.pins = null;
    return out;
  }
  add('log-witnessed', 'checkpoint', true, `${early.size} entries, holding the commitment (entry ${w.seq}), and extended by the checkpoint of ${head.size}`, { key: 'logWitnessed', size: early.size, seq: w.seq, head: head.size });
  // The witnesses' keys as listed; one that cannot be read checks nothing.
  const keys = [];
  for (const text of Array.isArray(witnesses) ? witnesses : []) {
    try {
      keys.push(await parseWitnessKey(text));
    } catch {
      // not a witness key: its cosignatures stay unchecked
    }
  }
  const checkedTimes = [];
  for (const c of await checkCosignatures(early, keys)) {
    const time = utcSeconds(c.timestamp);
    if (c.status === 'unlisted') {
      note('log-cosignature', c.name, `cosigned by ${c.name} at ${time}; the witness's key is not known here, so the cosignature is shown, not checked`, { key: 'logCosigned', name: c.name, time });
    } else if (c.status === 'invalid') {
      add('log-cosignature', c.name, false, `the cosignature by ${c.name} (at ${time}, as it claims) is not valid with the key the server lists for that witness`, { key: 'logCosignatureInvalid', name: c.name, time });
      out.pins = null;
      return out;
    } else {
      add('log-cosignature', c.name, true, `cosignature by ${c.name} at ${time}, checked with the key the server lists`, { key: 'logCosignatureChecked', name: c.name, time });
      checkedTimes.push(c.timestamp);
    }
  }
  if (roundTime !== null) {
    const round = utcSeconds(Math.floor(roundTime / 1000));
    if (checkedTimes.length > 0) {
      const first = Math.min(...checkedTimes);
      const before = first * 1000 < roundTime;
      const time = utcSeconds(first);
      add(
        'log-witness-time',
        'round',
        before,
        `the commitment was witnessed at ${time}, ${before ? '' : 'NOT '}before the drand round's time ${round}, by a cosignature checked with the key the server lists`,
        { key: before ? 'logWitnessedBeforeChecked' : 'logWitnessedNotBeforeChecked', time, round },
      );
      if (!before) out.pins = null;
      return out;
    }
    const times = early.cosignatures.map((c) => c.timestamp);
    if (times.length === 0) {
      note('log-witness-time', 'round', 'no cosignature shows when the commitment existed', { key: 'logNoCosignature' });
    } else {
      const first = Math.min(...times);
      const before = first * 1000 < roundTime;
      const time = utcSeconds(first);
      note(
        'log-witness-time',
        'round',
        `the first cosignature of the commitment, at ${time}, is ${before ? '' : 'NOT '}before the drand round's time ${round}; its witness's key is not known here`,
        { key: before ? 'logWitnessedBefore' : 'logWitnessedNotBefore', time, round },
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Command line (Node only)

/** Every entry of a server's public log, page by page. */
async function fetchLog(base) {
  const entries = [];
  for (;;) {
    const after = entries.length ? entries[entries.length - 1].seq : 0;
    const response = await fetch(`${base.replace(/\/+$/, '')}/api/public/log?after=${after}&limit=1000`);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const page = await response.json();
    if (!page.entries || page.entries.length === 0) return entries;
    entries.push(...page.entries);
  }
}

async function main(argv) {
  const usage = 'usage: node verify.js BUNDLE.tar [--log-key VKEY] [--log FILE|URL [--task N] | [--commitment HEX] [--result-digest HEX] [--replacements HEX,HEX,…|none]]';
  const fs = await import('node:fs/promises');
  let path = null;
  let log = null;
  let task = null;
  const pins = { commitment: null, result: null, replacements: null, committedAt: null, logKey: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--commitment' || a === '--result-digest') {
      const v = argv[++i];
      if (v === undefined || !HEX64.test(v)) {
        console.error(`${a} needs 64 lowercase hex digits\n${usage}`);
        return 2;
      }
      pins[a === '--commitment' ? 'commitment' : 'result'] = v;
    } else if (a === '--replacements') {
      const v = argv[++i];
      const list = v === undefined ? null : v === '' || v === 'none' ? [] : v.split(',');
      if (list === null || !list.every((d) => HEX64.test(d))) {
        console.error(`--replacements needs digests of 64 lowercase hex digits, separated by commas, or none\n${usage}`);
        return 2;
      }
      pins.replacements = list;
    } else if (a === '--log-key') {
      // The log's verifier key, as the server publishes it: the bundle's log.tsv must be signed with it.
      const v = argv[++i];
      if (v === undefined || v === '') {
        console.error(`--log-key needs the log's verifier key (origin+id+base64)\n${usage}`);
        return 2;
      }
      pins.logKey = v;
    } else if (a === '--log' || a === '--task') {
      const v = argv[++i];
      if (v === undefined || (a === '--task' && !NUMBER.test(v))) {
        console.error(`${a} needs a value\n${usage}`);
        return 2;
      }
      if (a === '--log') log = v;
      else task = Number(v);
    } else if (a === '-h' || a === '--help') {
      console.log(usage);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      console.error(`unknown option ${a}\n${usage}`);
      return 2;
    } else if (path === null) {
      path = a;
    } else {
      console.error(`one bundle at a time\n${usage}`);
      return 2;
    }
  }
  if (path === null || (log !== null && (pins.commitment || pins.result || pins.replacements)) || (task !== null && log === null)) {
    console.error(usage);
    return 2;
  }
  let bytes;
  try {
    bytes = new Uint8Array(await fs.readFile(path));
  } catch (e) {
    console.error(`cannot read ${path}: ${e.message}`);
    return 2;
  }
  let files;
  try {
    files = readTar(bytes);
  } catch (e) {
    console.log(`FAIL  ${e.message}`);
    console.log('NOT VERIFIED');
    return 1;
  }
  if (log !== null) {
    let entries;
    try {
      const text = /^https?:\/\//.test(log) ? null : await fs.readFile(log, 'utf8');
      entries = text === null ? await fetchLog(log) : wholeLog(JSON.parse(text));
    } catch (e) {
      console.error(`cannot read the log ${log}: ${e.message}`);
      return 2;
    }
    // Pins are taken only from a log that holds together (§15.3).
    const checked = await verifyLog(entries);
    if (!checked.passed) {
      console.log(`FAIL  public log: ${checked.problems[0]}`);
      console.log('NOT VERIFIED');
      return 1;
    }
    console.log(`public log: ${entries.length} entries, head ${checked.head}`);
    let stated = null;
    try {
      stated = parseCommitment(files.get('commitment.tsv')).digest;
    } catch {
      // the verification reports it
    }
    const id = task ?? taskCommittedTo(entries, stated);
    if (stated !== null || task !== null) {
      try {
        if (id === null) throw new Error(`no task of the log is committed to ${stated}, the bundle's commitment`);
        Object.assign(pins, pinsFromLog(entries, id));
      } catch (e) {
        console.log(`FAIL  public log: ${e.message}`);
        console.log('NOT VERIFIED: the public log does not pin this bundle');
        return 1;
      }
      console.log(`public log: task ${id}, committed at ${pins.committedAt} to ${pins.commitment}, result ${pins.result}, ${pins.replacements.length} replacements`);
    }
  }
  const report = await verifyBundle(files, pins);
  for (const n of report.notes) console.log(`note  ${n.kind} ${n.subject}: ${n.detail}`);
  for (const c of report.checks) {
    console.log(`${c.passed ? 'pass' : 'FAIL'}  ${c.kind} ${c.subject}: ${c.detail}`);
  }
  if (report.verified) {
    if (report.pinned) console.log('VERIFIED: the draw recomputes, and the bundle is the one the public log pins');
    else console.log('CONSISTENT: the draw recomputes, but the bundle is not pinned to the public log; compare its commitment, result and replacement digests with the log, or give --log');
    return 0;
  }
  const f = report.firstFailure;
  console.log(`NOT VERIFIED: first failure ${f.kind} ${f.subject}`);
  return 1;
}

if (typeof process !== 'undefined' && process.versions && process.versions.node && Array.isArray(process.argv) && process.argv[1]) {
  const [{ fileURLToPath }, { realpathSync }, { resolve }] = await Promise.all([import('node:url'), import('node:fs'), import('node:path')]);
  const real = (p) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  let self = null;
  try {
    self = real(fileURLToPath(import.meta.url));
  } catch {
    self = null;
  }
  if (self !== null && real(resolve(process.argv[1])) === self) {
    process.exitCode = await main(process.argv.slice(2));
  }
}
