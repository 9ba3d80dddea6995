// @ts-check
// The log's signed heads: C2SP signed notes (signed-note), whose text is a
// C2SP checkpoint (tlog-checkpoint) signed with the log's Ed25519 key, with
// any witnesses' cosignatures (tlog-cosignature) after it; and the rule
// that keeps a reader's view of the log honest: a head seen later must
// extend the one seen before, as a consistency proof shows (merkle.js).
//
// A note is its text, a blank line, and lines "— <name> <base64>", each the
// signature of a key of that name over the text: 4 bytes of key id, then
// the signature (Ed25519: 64 bytes; a cosignature: an 8-byte timestamp
// before them). A verifier key reads "<name>+<8 hex key id>+<base64 of
// 0x01 || 32-byte Ed25519 key>"; its id is the first 4 bytes of
// SHA-256(name || "\n" || 0x01 || key). A witness's key has the same form
// with the type 0x04 (parseWitnessKey); its cosignature signs
// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's text.

import { rootOf, sameHash, verifyConsistency } from './merkle.js';

/** A checkpoint larger than this is refused unread. */
const MAX_NOTE = 64 * 1024;
const ED25519 = 0x01;
const COSIGNATURE = 0x04;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why a checkpoint, a key or a later head is refused; `reason` is a short key. */
export class CheckpointError extends Error {
  /**
   * @param {string} reason
   * @param {string} message
   */
  constructor(reason, message) {
    super(message);
    this.name = 'CheckpointError';
    this.reason = reason;
  }
}

/** @param {string} text */
function fromBase64(text) {
  if (!BASE64.test(text)) return null;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** @param {Uint8Array} bytes */
export function toBase64(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** @param {Uint8Array} bytes */
function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A key name: not empty, no whitespace, no '+'. @param {string} name */
function validName(name) {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/**
 * The 4-byte id of a key: SHA-256(name || "\n" || type || key)[0..4].
 * @param {string} name
 * @param {number} type
 * @param {Uint8Array} key
 */
async function keyId(name, type, key) {
  const nameBytes = new TextEncoder().encode(`${name}\n`);
  const input = new Uint8Array(nameBytes.length + 1 + key.length);
  input.set(nameBytes);
  input[nameBytes.length] = type;
  input.set(key, nameBytes.length + 1);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  return digest.slice(0, 4);
}

/**
 * @typedef {{name: string, id: Uint8Array, publicKey: Uint8Array, text: string}} VerifierKey
 */

/**
 * Reads a verifier key "<name>+<8 hex>+<base64(type || key)>" of the key
 * type `type` and checks that its id belongs to its name and key.
 * @param {string} text
 * @param {number} type
 * @param {string} what what the key is, for the refusal
 * @returns {Promise<VerifierKey>}
 */
async function readKey(text, type, what) {
  const bad = (why) => new CheckpointError('key', `the verifier key is not ${what} in signed-note form: ${why}`);
  if (typeof text !== 'string' || text.length > 1024) throw bad('not a short text');
  // The name and the id hold no '+'; the key's base64 may.
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw bad('it is not name+id+key');
  const [name, idHex, keyText] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (!validName(name)) throw bad('the name is empty or has spaces');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw bad('the id is not 8 lowercase hex digits');
  const keyBytes = fromBase64(keyText);
  const typeHex = `0x${type.toString(16).padStart(2, '0')}`;
  if (!keyBytes || keyBytes.length !== 33 || keyBytes[0] !== type) throw bad(`the key is not ${typeHex} and 32 bytes, in base64`);
  const publicKey = keyBytes.slice(1);
  const id = await keyId(name, type, publicKey);
  if (toHex(id) !== idHex) throw bad('the id does not belong to the name and key');
  return { name, id, publicKey, text };
}

/**
 * Reads a log's verifier key "<name>+<8 hex>+<base64(0x01 || key)>" and
 * checks that its id belongs to its name and key.
 * @param {string} text
 * @returns {Promise<VerifierKey>}
 */
export async function parseVerifierKey(text) {
  return readKey(text, ED25519, 'an Ed25519 key');
}

/**
 * Reads a witness's verifier key "<name>+<8 hex>+<base64(0x04 || key)>"
 * (C2SP tlog-cosignature) and checks that its id belongs to its name and key.
 * @param {string} text
 * @returns {Promise<VerifierKey>}
 */
export async function parseWitnessKey(text) {
  return readKey(text, COSIGNATURE, "a witness's cosignature key");
}

/**
 * @typedef {{name: string, id: Uint8Array, bytes: Uint8Array}} NoteSignature
 * @typedef {{text: string, signatures: NoteSignature[]}} Note
 */

/**
 * Splits a signed note into its text (up to and with its last newline
 * before the blank line) and its signature lines.
 * @param {string} note
 * @returns {Note}
 */
export function parseNote(note) {
  const bad = (why) => new CheckpointError('note', `the checkpoint is not a signed note: ${why}`);
  if (typeof note !== 'string') throw bad('not a text');
  if (note.length > MAX_NOTE) throw bad(`longer than ${MAX_NOTE} characters`);
  if (!note.endsWith('\n')) throw bad('it does not end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw bad('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (text.includes('\n\n')) throw bad('a blank line inside the text');
  const signatures = lines.map((line) => {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match || !validName(match[1])) throw bad(`the signature line "${line.slice(0, 80)}" is not "— name signature"`);
    const bytes = fromBase64(match[2]);
    if (!bytes || bytes.length < 5) throw bad(`the signature of ${match[1]} is not base64 of a key id and a signature`);
    return { name: match[1], id: bytes.slice(0, 4), bytes: bytes.slice(4) };
  });
  if (signatures.length === 0) throw bad('no signature');
  return { text, signatures };
}

/**
 * @typedef {{origin: string, size: number, root: Uint8Array, rootBase64: string, extensions: string[]}} CheckpointBody
 */

/**
 * Reads a checkpoint's text: the origin, the tree size in decimal, the
 * root hash in base64, then any extension lines.
 * @param {string} text
 * @returns {CheckpointBody}
 */
export function parseCheckpointText(text) {
  const bad = (why) => new CheckpointError('checkpoint', `the checkpoint's text is not a C2SP checkpoint: ${why}`);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad('it has fewer than 3 lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin.length === 0) throw bad('the origin is empty');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw bad('the size is not a decimal number');
  const root = fromBase64(rootText);
  if (!root || root.length !== 32) throw bad('the root is not 32 bytes in base64');
  if (extensions.some((line) => line.length === 0)) throw bad('an empty extension line');
  return { origin, size: Number(sizeText), root, rootBase64: rootText, extensions };
}

/**
 * @typedef {{name: string, timestamp: number, id: Uint8Array, bytes: Uint8Array}} Cosignature
 * A cosignature line as read, not yet checked: the witness's name, the
 * timestamp it claims, its key id and its bytes after the id (the
 * timestamp, then the signature).
 * @typedef {CheckpointBody & {cosignatures: Cosignature[], text: string}} Checkpoint
 */

/** The largest timestamp a cosignature may carry: 2^63 - 1. */
const MAX_TIMESTAMP = (1n << 63n) - 1n;

/**
 * Verifies a signed checkpoint against the log's verifier key: the note
 * carries a valid Ed25519 signature of that key over a checkpoint of the
 * key's log. Other signature lines are listed as cosignatures when they
 * have a cosignature's length (4 + 8 + 64 bytes), unchecked:
 * verifyCosignature checks one with its witness's key.
 * @param {string} note
 * @param {VerifierKey} key
 * @returns {Promise<Checkpoint>}
 */
export async function verifyCheckpoint(note, key) {
  const { text, signatures } = parseNote(note);
  const body = parseCheckpointText(text);
  if (body.origin !== key.name) {
    throw new CheckpointError('origin', `the checkpoint names the log "${body.origin}", not "${key.name}"`);
  }
  const own = signatures.filter((s) => s.name === key.name && sameHash(s.id, key.id));
  if (own.length === 0) throw new CheckpointError('unsigned', `the checkpoint has no signature by the log's key ${key.text}`);
  const { ed25519 } = await import('../vendor/noble-curves.js');
  const message = new TextEncoder().encode(text);
  const valid = own.some((s) => {
    if (s.bytes.length !== 64) return false;
    try {
      return ed25519.verify(s.bytes, message, key.publicKey, { zip215: false });
    } catch {
      return false;
    }
  });
  if (!valid) throw new CheckpointError('signature', `the log key's signature of the checkpoint is not valid`);
  const cosignatures = signatures
    .filter((s) => s.name !== key.name && s.bytes.length === 8 + 64)
    .map((s) => ({ name: s.name, timestamp: timestampOf(s.bytes), id: s.id, bytes: s.bytes }));
  return { ...body, cosignatures, text };
}

/** The timestamp a cosignature's bytes claim (seconds). @param {Uint8Array} bytes */
function timestampOf(bytes) {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0));
}

/**
 * Whether a cosignature is a valid one by the witness of `key` over the
 * checkpoint text `text` (its lines with the final newline, no signature
 * lines): its name and key id are the key's, its timestamp is at most
 * 2^63 - 1, and its Ed25519 signature of "cosignature/v1\ntime <timestamp>\n"
 * followed by the text holds. `cosignature` is a signature line
 * ("— name base64", with or without its newline) or one as
 * verifyCheckpoint lists it. A line that cannot be read is not valid.
 * @param {string} text
 * @param {string | {name: string, id: Uint8Array, bytes: Uint8Array}} cosignature
 * @param {VerifierKey} key a witness's key (parseWitnessKey)
 * @returns {Promise<boolean>}
 */
export async function verifyCosignature(text, cosignature, key) {
  let signature = cosignature;
  if (typeof cosignature === 'string') {
    const match = /^\u2014 (\S+) (\S+)\n?$/.exec(cosignature);
    const bytes = match ? fromBase64(match[2]) : null;
    if (!match || !bytes || bytes.length < 4) return false;
    signature = { name: match[1], id: bytes.slice(0, 4), bytes: bytes.slice(4) };
  }
  if (typeof signature !== 'object' || signature === null) return false;
  if (signature.name !== key.name || !sameHash(signature.id, key.id) || signature.bytes.length !== 8 + 64) return false;
  const stamp = new DataView(signature.bytes.buffer, signature.bytes.byteOffset, 8).getBigUint64(0);
  if (stamp > MAX_TIMESTAMP) return false;
  const { ed25519 } = await import('../vendor/noble-curves.js');
  const message = new TextEncoder().encode(`cosignature/v1\ntime ${stamp}\n${text}`);
  try {
    return ed25519.verify(signature.bytes.slice(8), message, key.publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * @typedef {{name: string, timestamp: number, status: 'checked' | 'invalid' | 'unlisted'}} CosignatureStatus
 */

/**
 * Each cosignature of a verified checkpoint with what the witnesses' keys
 * `witnesses` say of it: 'checked' (valid by a listed witness of its name
 * and key id), 'invalid' (a listed witness's, not valid) or 'unlisted' (no
 * witness of its name and key id is given, so it cannot be checked).
 * @param {Checkpoint} checkpoint
 * @param {VerifierKey[]} witnesses
 * @returns {Promise<CosignatureStatus[]>}
 */
export async function checkCosignatures(checkpoint, witnesses) {
  return Promise.all(
    checkpoint.cosignatures.map(async (c) => {
      const key = witnesses.find((w) => w.name === c.name && sameHash(w.id, c.id));
      /** @type {'checked' | 'invalid' | 'unlisted'} */
      let status = 'unlisted';
      if (key) status = (await verifyCosignature(checkpoint.text, c, key)) ? 'checked' : 'invalid';
      return { name: c.name, timestamp: c.timestamp, status };
    }),
  );
}

/**
 * @typedef {{verifierKey: string, size: number, root: string, seenAt: string}} Remembered
 * A head as the reader's browser remembers it: the verifier key it was
 * checked with, its size, its root in base64 and when it was first seen.
 */

/**
 * What a newly verified checkpoint says of the history the reader saw
 * before: 'first' (nothing remembered), 'same' (the same head), 'extends'
 * (a larger tree whose consistency proof from the remembered one holds, or
 * any tree after the empty one, which needs no proof);
 * or a CheckpointError whose reason names the break: 'key-changed',
 * 'shrunk', 'forked' (same size, another root) or 'inconsistent' (the
 * proof fails, or cannot be had).
 * @param {Remembered | null} remembered
 * @param {VerifierKey} key
 * @param {Checkpoint} checkpoint
 * @param {(from: number, size: number) => Promise<Uint8Array[]>} consistencyProof
 * @returns {Promise<'first' | 'same' | 'extends'>}
 */
export async function checkAgainstRemembered(remembered, key, checkpoint, consistencyProof) {
  if (!remembered) return 'first';
  if (remembered.verifierKey !== key.text) {
    throw new CheckpointError('key-changed', `the log's key is now ${key.text}; it was ${remembered.verifierKey}`);
  }
  const oldRoot = fromBase64(remembered.root);
  if (!oldRoot || oldRoot.length !== 32 || !Number.isSafeInteger(remembered.size)) {
    throw new CheckpointError('inconsistent', 'the remembered head is unreadable');
  }
  if (checkpoint.size < remembered.size) {
    throw new CheckpointError('shrunk', `the log has ${checkpoint.size} entries now; it had ${remembered.size}`);
  }
  if (checkpoint.size === remembered.size) {
    if (sameHash(oldRoot, checkpoint.root)) return 'same';
    throw new CheckpointError('forked', `the log of ${checkpoint.size} entries has another root than before`);
  }
  if (remembered.size === 0) {
    // Every tree begins with the empty one, and no proof from it exists to
    // ask for (a server proves consistency from a tree of 1 entry or more):
    // the empty head seen must just be the empty tree's.
    if (!sameHash(oldRoot, await rootOf([]))) {
      throw new CheckpointError('inconsistent', 'the empty log seen before was signed with a root that is not the empty tree\'s');
    }
    return 'extends';
  }
  let proof;
  try {
    proof = await consistencyProof(remembered.size, checkpoint.size);
  } catch (e) {
    throw new CheckpointError('inconsistent', `no consistency proof from ${remembered.size} to ${checkpoint.size}: ${e && e.message ? e.message : e}`);
  }
  try {
    await verifyConsistency(remembered.size, checkpoint.size, oldRoot, checkpoint.root, proof);
  } catch (e) {
    throw new CheckpointError('inconsistent', `the log of ${checkpoint.size} entries does not extend the ${remembered.size} seen before: ${e.message}`);
  }
  return 'extends';
}
