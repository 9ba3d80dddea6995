// @ts-check
// The public log as an RFC 9162 Merkle tree (PROTOCOL.md §15, and the log's
// checkpoints): leaf and node hashes, and the checks of an inclusion proof
// (RFC 9162 §2.1.3.2) and of a consistency proof (§2.1.4.2), written from
// the RFC's algorithms. With them a browser that remembers one head of the
// log can hold the server to it: a later head must contain it unchanged.
//
// Tree sizes are JavaScript numbers (whole, below 2^53); the bit operations
// of the RFC are written with arithmetic, since JavaScript's are 32-bit.

/** @typedef {Uint8Array} Hash 32 bytes */

/**
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @returns {Promise<Hash>}
 */
async function sha256(bytes) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) is not available here');
  return new Uint8Array(await subtle.digest('SHA-256', bytes));
}

/**
 * @param {number} prefix
 * @param {Uint8Array[]} parts
 */
function prefixed(prefix, parts) {
  const out = new Uint8Array(1 + parts.reduce((n, part) => n + part.length, 0));
  out[0] = prefix;
  let at = 1;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The hash of a leaf: SHA-256(0x00 || data). In opendraw's log a leaf's data
 * are the 32 bytes of an entry's chain hash.
 * @param {Uint8Array} data
 */
export function leafHash(data) {
  return sha256(prefixed(0x00, [data]));
}

/**
 * The hash of an inner node: SHA-256(0x01 || left || right).
 * @param {Hash} left
 * @param {Hash} right
 */
export function nodeHash(left, right) {
  return sha256(prefixed(0x01, [left, right]));
}

/**
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 */
export function sameHash(a, b) {
  if (a.length !== b.length) return false;
  let differ = 0;
  for (let i = 0; i < a.length; i++) differ |= a[i] ^ b[i];
  return differ === 0;
}

/**
 * The root of the tree of these leaf hashes (RFC 9162 §2.1.1), for tests and
 * small trees: the empty tree's root is SHA-256 of nothing.
 * @param {Hash[]} leaves
 * @returns {Promise<Hash>}
 */
export async function rootOf(leaves) {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(await rootOf(leaves.slice(0, k)), await rootOf(leaves.slice(k)));
}

/** Why a proof does not hold; `reason` is a short key, `message` English. */
export class ProofError extends Error {
  /**
   * @param {string} reason
   * @param {string} message
   */
  constructor(reason, message) {
    super(message);
    this.name = 'ProofError';
    this.reason = reason;
  }
}

/**
 * @param {unknown} n
 * @param {string} what
 */
function treeSize(n, what) {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ProofError('size', `${what} is not a tree size`);
  }
  return n;
}

/**
 * @param {unknown} hashes
 * @returns {Hash[]}
 */
function proofHashes(hashes) {
  if (!Array.isArray(hashes) || !hashes.every((x) => x instanceof Uint8Array && x.length === 32)) {
    throw new ProofError('format', 'a proof is a list of 32-byte hashes');
  }
  return hashes;
}

const odd = (/** @type {number} */ n) => n % 2 === 1;
const half = (/** @type {number} */ n) => Math.floor(n / 2);

/**
 * Checks that the tree of `first` leaves with root `firstRoot` is the start
 * of the tree of `second` leaves with root `secondRoot`, by the consistency
 * proof `proof` (RFC 9162 §2.1.4.2). Throws a ProofError when it is not
 * shown; returns nothing when it is.
 * @param {number} first
 * @param {number} second
 * @param {Hash} firstRoot
 * @param {Hash} secondRoot
 * @param {Hash[]} proof
 */
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  treeSize(first, 'the old size');
  treeSize(second, 'the new size');
  const path = proofHashes(proof);
  if (first > second) throw new ProofError('shrunk', `the tree shrank from ${first} to ${second} leaves`);
  if (first === second) {
    if (path.length) throw new ProofError('length', 'a proof between equal sizes is empty');
    if (!sameHash(firstRoot, secondRoot)) throw new ProofError('root', `two different roots for the same size ${first}`);
    return;
  }
  if (first === 0) {
    // Every tree extends the empty one.
    if (path.length) throw new ProofError('length', 'a proof from the empty tree is empty');
    return;
  }
  // 1. An empty path proves nothing between different sizes.
  if (path.length === 0) throw new ProofError('length', 'the proof is empty');
  // 2. When first is a power of two, its root is a node of the path.
  let power = 1;
  while (power < first) power *= 2;
  const c = power === first ? [firstRoot, ...path] : path;
  // 3. and 4.
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  let fr = c[0];
  let sr = c[0];
  // 6.
  for (const hash of c.slice(1)) {
    if (sn === 0) throw new ProofError('length', 'the proof is longer than the trees allow');
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(hash, fr);
      sr = await nodeHash(hash, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  if (sn !== 0) throw new ProofError('length', 'the proof is shorter than the trees need');
  if (!sameHash(fr, firstRoot)) throw new ProofError('old-root', `the proof does not lead to the root of the ${first} leaves seen before`);
  if (!sameHash(sr, secondRoot)) throw new ProofError('new-root', `the proof does not lead to the root of the ${second} leaves shown now`);
}

/**
 * Checks that the leaf of hash `leaf` is at `index` in the tree of `size`
 * leaves with root `root`, by the inclusion proof `proof` (RFC 9162
 * §2.1.3.2). Throws a ProofError when it is not shown.
 * @param {number} index
 * @param {number} size
 * @param {Hash} leaf
 * @param {Hash} root
 * @param {Hash[]} proof
 */
export async function verifyInclusion(index, size, leaf, root, proof) {
  treeSize(index, 'the leaf index');
  treeSize(size, 'the tree size');
  const path = proofHashes(proof);
  // 1.
  if (index >= size) throw new ProofError('index', `leaf ${index} is not in a tree of ${size} leaves`);
  // 2.
  let fn = index;
  let sn = size - 1;
  // 3.
  let r = leaf;
  // 4.
  for (const p of path) {
    if (sn === 0) throw new ProofError('length', 'the proof is longer than the tree allows');
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  if (sn !== 0) throw new ProofError('length', 'the proof is shorter than the tree needs');
  if (!sameHash(r, root)) throw new ProofError('root', 'the proof does not lead to the root');
}
