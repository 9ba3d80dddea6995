// The log's signed heads as public/lib/checkpoint.js reads them: C2SP
// signed notes and checkpoints, signed here with Node's own Ed25519 (not the
// vendored code the page verifies with), and the rule that a later head must
// extend the one a reader saw before.
// Run with: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import {
  parseVerifierKey,
  parseNote,
  parseCheckpointText,
  verifyCheckpoint,
  checkAgainstRemembered,
  CheckpointError,
  toBase64,
} from '../../public/lib/checkpoint.js';
import { leafHash, rootOf } from '../../public/lib/merkle.js';

const ORIGIN = 'opendraw.test/log';

/** An Ed25519 key from a 32-byte seed, as Node holds it. */
function keyFromSeed(seed) {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { privateKey, publicKey };
}

function keyIdOf(name, type, publicKey) {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([type]), publicKey]))
    .digest()
    .subarray(0, 4);
}

/** The verifier key text of a log key, written from the C2SP spec. */
function verifierKey(name, key) {
  const id = keyIdOf(name, 0x01, key.publicKey).toString('hex');
  return `${name}+${id}+${Buffer.concat([Buffer.from([0x01]), key.publicKey]).toString('base64')}`;
}

function signatureLine(name, key, text) {
  const sig = sign(null, Buffer.from(text), key.privateKey);
  return `— ${name} ${Buffer.concat([keyIdOf(name, 0x01, key.publicKey), sig]).toString('base64')}\n`;
}

function cosignatureLine(name, key, timestamp, text) {
  const message = `cosignature/v1\ntime ${timestamp}\n${text}`;
  const sig = sign(null, Buffer.from(message), key.privateKey);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timestamp));
  return `— ${name} ${Buffer.concat([keyIdOf(name, 0x04, key.publicKey), time, sig]).toString('base64')}\n`;
}

const logKey = keyFromSeed(new Uint8Array(32).fill(7));
const otherKey = keyFromSeed(new Uint8Array(32).fill(8));
const witnessKey = keyFromSeed(new Uint8Array(32).fill(9));

function checkpointText(size, root, origin = ORIGIN) {
  return `${origin}\n${size}\n${toBase64(root)}\n`;
}

function signedCheckpoint(size, root, { key = logKey, origin = ORIGIN, extra = '' } = {}) {
  const text = checkpointText(size, root, origin);
  return `${text}\n${signatureLine(origin, key, text)}${extra}`;
}

const leaves = await Promise.all(Array.from({ length: 9 }, (_, i) => leafHash(new Uint8Array([i]))));
const rootOfSize = (n) => rootOf(leaves.slice(0, n));

test('a verifier key is read, and one whose id or type is wrong is refused', async () => {
  const text = verifierKey(ORIGIN, logKey);
  const key = await parseVerifierKey(text);
  assert.equal(key.name, ORIGIN);
  assert.deepEqual(Buffer.from(key.publicKey), logKey.publicKey);
  const [name, id, data] = text.split('+');
  const wrongId = (parseInt(id, 16) ^ 1).toString(16).padStart(8, '0');
  const bytes = Buffer.from(data, 'base64');
  bytes[0] = 0x02;
  for (const bad of [
    `${name}+${wrongId}+${data}`,
    `${name}+${id}+${bytes.toString('base64')}`,
    `other.log+${id}+${data}`,
    `${name}+${id}`,
    `two words+${id}+${data}`,
    `${name}+${id.toUpperCase()}+${data}`,
  ]) {
    await assert.rejects(parseVerifierKey(bad), (e) => e instanceof CheckpointError && e.reason === 'key', bad);
  }
});

test('a checkpoint signed by the log key verifies; its size, root and origin are read', async () => {
  const key = await parseVerifierKey(verifierKey(ORIGIN, logKey));
  const root = await rootOfSize(5);
  const checkpoint = await verifyCheckpoint(signedCheckpoint(5, root), key);
  assert.equal(checkpoint.origin, ORIGIN);
  assert.equal(checkpoint.size, 5);
  assert.deepEqual(checkpoint.root, root);
  assert.deepEqual(checkpoint.cosignatures, []);
});

test('a changed, unsigned or foreign checkpoint is refused at its reason', async () => {
  const key = await parseVerifierKey(verifierKey(ORIGIN, logKey));
  const root = await rootOfSize(5);
  const good = signedCheckpoint(5, root);
  const refused = async (note, reason) =>
    assert.rejects(verifyCheckpoint(note, key), (e) => e instanceof CheckpointError && e.reason === reason, `${reason}: ${note}`);
  await refused(good.replace('\n5\n', '\n6\n'), 'signature');
  await refused(good.replace(toBase64(root), toBase64(await rootOfSize(4))), 'signature');
  await refused(signedCheckpoint(5, root, { key: otherKey }), 'unsigned');
  await refused(signedCheckpoint(5, root, { origin: 'other.test/log' }), 'origin');
  await refused(good.replace('\n\n', '\n'), 'note');
  await refused(good.slice(0, -1), 'note');
  await refused(good.replace('— ', '- '), 'note');
  await refused(`${ORIGIN}\n05\n${toBase64(root)}\n\n${signatureLine(ORIGIN, logKey, `${ORIGIN}\n05\n${toBase64(root)}\n`)}`, 'checkpoint');
  await refused(`${ORIGIN}\n5\nAAAA\n\n${signatureLine(ORIGIN, logKey, `${ORIGIN}\n5\nAAAA\n`)}`, 'checkpoint');
  await refused('x'.repeat(70000) + '\n', 'note');
  // The signature line of the right name and id, but a signature of other bytes.
  const line = signatureLine(ORIGIN, logKey, 'something else\n');
  await refused(`${checkpointText(5, root)}\n${line}`, 'signature');
});

test('witness cosignatures are listed with their names and times', async () => {
  const key = await parseVerifierKey(verifierKey(ORIGIN, logKey));
  const root = await rootOfSize(3);
  const text = checkpointText(3, root);
  const note = signedCheckpoint(3, root, { extra: cosignatureLine('witness.example/w1', witnessKey, 1764547200, text) });
  const checkpoint = await verifyCheckpoint(note, key);
  assert.deepEqual(checkpoint.cosignatures, [{ name: 'witness.example/w1', timestamp: 1764547200 }]);
  assert.equal(parseNote(note).signatures.length, 2);
  assert.deepEqual(parseCheckpointText(text).extensions, []);
});

test('a later head must extend the remembered one, by its consistency proof', async () => {
  const keyText = verifierKey(ORIGIN, logKey);
  const key = await parseVerifierKey(keyText);
  const root5 = await rootOfSize(5);
  const root8 = await rootOfSize(8);
  const remembered = { verifierKey: keyText, size: 5, root: toBase64(root5), seenAt: '2026-12-01T00:00:00Z' };
  const at = async (size, root) => verifyCheckpoint(signedCheckpoint(size, root), key);
  // The proof from 5 to 8 (RFC 9162 §2.1.4.1): leaf 4, node (5,6), leaf 7... made from the leaves.
  const { nodeHash } = await import('../../public/lib/merkle.js');
  const proof5to8 = [leaves[4], leaves[5], await nodeHash(leaves[6], leaves[7]), await rootOf(leaves.slice(0, 4))];
  let asked = null;
  const proofs = async (from, size) => {
    asked = [from, size];
    return proof5to8;
  };
  assert.equal(await checkAgainstRemembered(null, key, await at(5, root5), proofs), 'first');
  assert.equal(await checkAgainstRemembered(remembered, key, await at(5, root5), proofs), 'same');
  assert.equal(asked, null, 'no proof is asked for the same head');
  assert.equal(await checkAgainstRemembered(remembered, key, await at(8, root8), proofs), 'extends');
  assert.deepEqual(asked, [5, 8]);

  const alarm = async (checkpoint, reason, proofFn = proofs, mem = remembered, k = key) =>
    assert.rejects(checkAgainstRemembered(mem, k, checkpoint, proofFn), (e) => e instanceof CheckpointError && e.reason === reason, reason);
  await alarm(await at(4, await rootOfSize(4)), 'shrunk');
  await alarm(await at(5, await rootOfSize(4)), 'forked');
  const otherLeaves = [...leaves.slice(0, 4), await leafHash(new Uint8Array([99])), ...leaves.slice(5, 8)];
  await alarm(await at(8, await rootOf(otherLeaves)), 'inconsistent');
  await alarm(await at(8, root8), 'inconsistent', async () => proof5to8.slice(1));
  await alarm(await at(8, root8), 'inconsistent', async () => {
    throw new Error('503 Service Unavailable');
  });
  const otherKeyText = verifierKey(ORIGIN, otherKey);
  const other = await parseVerifierKey(otherKeyText);
  await alarm(await verifyCheckpoint(signedCheckpoint(8, root8, { key: otherKey }), other), 'key-changed', proofs, remembered, other);
});

test('a log seen empty is extended by any later head, without a proof asked for', async () => {
  const keyText = verifierKey(ORIGIN, logKey);
  const key = await parseVerifierKey(keyText);
  const empty = await rootOf([]);
  const seen = { verifierKey: keyText, size: 0, root: toBase64(empty), seenAt: '2026-12-01T00:00:00Z' };
  const grown = await verifyCheckpoint(signedCheckpoint(5, await rootOfSize(5)), key);
  const noProof = async () => {
    throw new Error('no proof from the empty tree exists to ask for');
  };
  assert.equal(await checkAgainstRemembered(seen, key, grown, noProof), 'extends');
  const notEmpty = { ...seen, root: toBase64(await rootOfSize(1)) };
  await assert.rejects(checkAgainstRemembered(notEmpty, key, grown, noProof), (e) => e instanceof CheckpointError && e.reason === 'inconsistent');
});
