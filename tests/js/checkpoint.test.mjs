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
  parseWitnessKey,
  verifyCosignature,
  checkCosignatures,
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
  assert.deepEqual(
    checkpoint.cosignatures.map(({ name, timestamp }) => ({ name, timestamp })),
    [{ name: 'witness.example/w1', timestamp: 1764547200 }],
  );
  assert.equal(parseNote(note).signatures.length, 2);
  assert.deepEqual(parseCheckpointText(text).extensions, []);
});

/** A witness's verifier key text, type 0x04, written from the C2SP spec. */
function witnessVerifierKey(name, key) {
  const id = keyIdOf(name, 0x04, key.publicKey).toString('hex');
  return `${name}+${id}+${Buffer.concat([Buffer.from([0x04]), key.publicKey]).toString('base64')}`;
}

/** A signature line with its bytes after the key id changed by `change`. */
function changedLine(line, change) {
  const [dash, name, data] = line.trimEnd().split(' ');
  const bytes = Buffer.from(data, 'base64');
  change(bytes);
  return `${dash} ${name} ${bytes.toString('base64')}\n`;
}

const W1 = 'witness.example/w1';
const W2 = 'witness.example/w2';
const otherWitnessKey = keyFromSeed(new Uint8Array(32).fill(10));

test('a witness key is read with type 0x04, and a log key or a wrong id is refused as one', async () => {
  const text = witnessVerifierKey(W1, witnessKey);
  const key = await parseWitnessKey(text);
  assert.equal(key.name, W1);
  assert.deepEqual(Buffer.from(key.publicKey), witnessKey.publicKey);
  assert.deepEqual(Buffer.from(key.id), keyIdOf(W1, 0x04, witnessKey.publicKey));
  const [name, id, data] = text.split('+');
  const wrongId = (parseInt(id, 16) ^ 1).toString(16).padStart(8, '0');
  for (const bad of [
    `${name}+${wrongId}+${data}`,
    verifierKey(W1, witnessKey),
    `${W2}+${id}+${data}`,
    `${name}+${id}+${data.slice(4)}`,
  ]) {
    await assert.rejects(parseWitnessKey(bad), (e) => e instanceof CheckpointError && e.reason === 'key', bad);
  }
  // And a witness's key is not a log's.
  await assert.rejects(parseVerifierKey(text), (e) => e instanceof CheckpointError && e.reason === 'key');
});

test('a cosignature verifies with its witness key over the checkpoint text, and fails changed or by another', async () => {
  const root = await rootOfSize(3);
  const text = checkpointText(3, root);
  const key = await parseWitnessKey(witnessVerifierKey(W1, witnessKey));
  const line = cosignatureLine(W1, witnessKey, 1764547200, text);
  assert.equal(await verifyCosignature(text, line, key), true, 'valid');
  assert.equal(await verifyCosignature(text, line.trimEnd(), key), true, 'valid without its newline');
  // Over another checkpoint's text.
  assert.equal(await verifyCosignature(checkpointText(4, await rootOfSize(4)), line, key), false, 'other text');
  // A flipped bit of the signature (the last byte), of the timestamp (byte 4 + 7).
  assert.equal(await verifyCosignature(text, changedLine(line, (b) => (b[b.length - 1] ^= 1)), key), false, 'flipped signature');
  assert.equal(await verifyCosignature(text, changedLine(line, (b) => (b[11] ^= 1)), key), false, 'flipped timestamp');
  // A key id that is not the witness's, with the signature otherwise intact.
  assert.equal(await verifyCosignature(text, changedLine(line, (b) => (b[0] ^= 1)), key), false, 'wrong key id');
  // Another witness's valid cosignature, under its name or under this one's.
  const other = cosignatureLine(W2, otherWitnessKey, 1764547200, text);
  assert.equal(await verifyCosignature(text, other, key), false, 'other witness');
  const otherKey = await parseWitnessKey(witnessVerifierKey(W2, otherWitnessKey));
  assert.equal(await verifyCosignature(text, other, otherKey), true, 'the other witness with its own key');
  const impostor = cosignatureLine(W1, otherWitnessKey, 1764547200, text);
  assert.equal(await verifyCosignature(text, impostor, key), false, 'another key under this name');
  // The log's own plain signature line, and lines that are no cosignature.
  assert.equal(await verifyCosignature(text, signatureLine(W1, witnessKey, text), key), false, 'a plain Ed25519 signature');
  assert.equal(await verifyCosignature(text, 'not a line', key), false);
  assert.equal(await verifyCosignature(text, `— ${W1} @@@@`, key), false);
  // A timestamp above 2^63 - 1 is refused, even with a signature over it.
  const huge = (1n << 63n).toString();
  const hugeSig = sign(null, Buffer.from(`cosignature/v1\ntime ${huge}\n${text}`), witnessKey.privateKey);
  const hugeTime = Buffer.alloc(8);
  hugeTime.writeBigUInt64BE(1n << 63n);
  const hugeLine = `— ${W1} ${Buffer.concat([keyIdOf(W1, 0x04, witnessKey.publicKey), hugeTime, hugeSig]).toString('base64')}\n`;
  assert.equal(await verifyCosignature(text, hugeLine, key), false, 'timestamp above 2^63 - 1');
});

test('the cosignatures of a checkpoint are checked, not valid, or not listed, by the witness keys given', async () => {
  const logVerifier = await parseVerifierKey(verifierKey(ORIGIN, logKey));
  const root = await rootOfSize(3);
  const text = checkpointText(3, root);
  const good = cosignatureLine(W1, witnessKey, 1764547200, text);
  const bad = changedLine(cosignatureLine(W2, otherWitnessKey, 1764547300, text), (b) => (b[b.length - 1] ^= 1));
  const unlisted = cosignatureLine('witness.example/w3', keyFromSeed(new Uint8Array(32).fill(11)), 1764547400, text);
  const checkpoint = await verifyCheckpoint(signedCheckpoint(3, root, { extra: good + bad + unlisted }), logVerifier);
  const keys = [await parseWitnessKey(witnessVerifierKey(W1, witnessKey)), await parseWitnessKey(witnessVerifierKey(W2, otherWitnessKey))];
  assert.deepEqual(await checkCosignatures(checkpoint, keys), [
    { name: W1, timestamp: 1764547200, status: 'checked' },
    { name: W2, timestamp: 1764547300, status: 'invalid' },
    { name: 'witness.example/w3', timestamp: 1764547400, status: 'unlisted' },
  ]);
  assert.deepEqual(
    (await checkCosignatures(checkpoint, [])).map((c) => c.status),
    ['unlisted', 'unlisted', 'unlisted'],
  );
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
