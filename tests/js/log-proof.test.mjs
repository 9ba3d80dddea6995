// The bundle's log.tsv (PROTOCOL.md §15.6) as public/verify.js reads and
// checks it, against tests/vectors/log-proof.json: a log.tsv a real server
// made, with a witness's cosignature of the commitment, and forged copies,
// each of which must fail the check the reference implementation fails.
// Files the reference reader refuses are refused here too, by the Rust
// command line and by this reader alike.
// Run with: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ustar } from './ustar.mjs';
import { verifyBundle, checkLogProof, parseLogProof, parseCommitment } from '../../public/verify.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vector = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'log-proof.json'), 'utf8'));
const enc = new TextEncoder();
const intact = vector.cases.find((c) => c.name === 'intact')['log.tsv'];

function filesWith(logTsv, changes = {}) {
  const files = new Map();
  for (const [name, text] of Object.entries({ ...vector.bundle, ...changes })) files.set(name, enc.encode(text));
  files.set('log.tsv', enc.encode(logTsv));
  return files;
}

const stated = parseCommitment(enc.encode(vector.bundle['commitment.tsv'])).digest;

test('every case of the vector gets the verdict of the reference checker', async () => {
  assert.ok(vector.cases.length >= 9);
  for (const c of vector.cases) {
    const report = await verifyBundle(filesWith(c['log.tsv']), { logKey: c.trusted_key });
    const log = report.checks.filter((x) => x.kind.startsWith('log-'));
    if (c.fails === null) {
      assert.equal(report.verified, true, `${c.name}: ${JSON.stringify(report.firstFailure)}`);
      assert.equal(report.pinned, true, `${c.name}: the proven entries pin the bundle`);
      const kinds = new Set(log.map((x) => x.kind));
      for (const kind of ['log-checkpoint', 'log-entry', 'log-pins', 'log-witnessed']) assert.ok(kinds.has(kind), `${c.name}: ${kind}`);
      assert.equal(kinds.has('log-key'), c.trusted_key !== null, `${c.name}: the key is compared when one is given`);
      assert.equal(log.filter((x) => x.kind === 'log-entry').length, 4, 'created, committed, drawn, revealed');
      const cosigned = report.notes.filter((x) => x.kind === 'log-cosignature');
      assert.equal(cosigned.length, 1, JSON.stringify(report.notes));
      assert.equal(cosigned[0].subject, vector.witness_key.split('+')[0]);
      assert.match(cosigned[0].message.time, /^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/);
      assert.equal(report.notes.some((x) => x.message?.key === 'logKeyUnchecked'), c.trusted_key === null, c.name);
    } else {
      assert.equal(report.verified, false, c.name);
      assert.equal(report.firstFailure.kind, c.fails, `${c.name}: ${JSON.stringify(report.firstFailure)}`);
      assert.equal(log.filter((x) => !x.passed).length, 1, `${c.name}: the log proof stops at its first failure`);
    }
  }
});

test('the entries proven pin the commitment and the result to the bundle\'s own files', async () => {
  // A result.tsv other than the logged one fails at the result digest, where the draw's
  // own checks name its first difference; the log's pin is what it is held to.
  const result = vector.bundle['result.tsv'];
  const changed = result.replace(/\n([^\n]*)\n$/, (_, line) => `\n${line.slice(0, -1)}${line.endsWith('0') ? '1' : '0'}\n`);
  assert.notEqual(changed, result);
  const report = await verifyBundle(filesWith(intact, { 'result.tsv': changed }), { logKey: vector.verifier_key });
  const digest = report.checks.find((x) => x.kind === 'result-digest');
  assert.equal(digest.passed, false, JSON.stringify(digest));
  assert.ok(digest.detail.includes('(the public log)'), digest.detail);
  assert.equal(report.verified, false);
  // The page's own pins, from the task's timeline, are kept and agree.
  const proof = await parseLogProof(enc.encode(intact));
  const payload = (kind) => JSON.parse(proof.entries.find((e) => e.kind === kind).payload);
  const pins = { commitment: payload('task.committed').commitment, result: payload('task.drawn').result, replacements: [], committedAt: null, logKey: vector.verifier_key, task: vector.task };
  const pinned = await verifyBundle(filesWith(intact), pins);
  assert.equal(pinned.verified, true, JSON.stringify(pinned.firstFailure));
  // A page showing another task than the one log.tsv proves fails.
  const other = await verifyBundle(filesWith(intact), { ...pins, task: vector.task + 1 });
  assert.equal(other.firstFailure.kind, 'log-pins');
});

test('for a drand task, the first cosignature is compared with the round time, as information', async () => {
  const proof = await parseLogProof(enc.encode(intact));
  const checked = await checkLogProof(enc.encode(intact), stated, { trustedKey: vector.verifier_key, roundTime: Date.UTC(2999, 0, 1) });
  assert.ok(checked.checks.every((x) => x.passed));
  const early = checked.notes.find((x) => x.kind === 'log-witness-time');
  assert.equal(early.message.key, 'logWitnessedBefore', JSON.stringify(early));
  const late = (await checkLogProof(enc.encode(intact), stated, { trustedKey: vector.verifier_key, roundTime: Date.UTC(2000, 0, 1) })).notes.find((x) => x.kind === 'log-witness-time');
  assert.equal(late.message.key, 'logWitnessedNotBefore', JSON.stringify(late));
  assert.match(late.detail, /NOT before/);
  // Without a witness part, it is said that nobody witnessed the commitment.
  const unwitnessed = intact.replace(/witnessed\t[^\n]*\n$/, '');
  assert.notEqual(unwitnessed, intact);
  const plain = await checkLogProof(enc.encode(unwitnessed), stated, { trustedKey: vector.verifier_key, roundTime: Date.UTC(2999, 0, 1) });
  assert.ok(plain.checks.every((x) => x.passed));
  assert.ok(plain.notes.some((x) => x.message?.key === 'logNotWitnessed'));
  assert.equal(proof.witnessed.seq, proof.entries.find((e) => e.kind === 'task.committed').seq);
});

/** The intact log.tsv with the witnessed checkpoint's last cosignature line changed by `change` (its bytes: the key id, the timestamp, the signature). */
function withCosignature(change) {
  const lines = intact.slice(0, -1).split('\n');
  const i = lines.findIndex((l) => l.startsWith('witnessed\t'));
  const fields = lines[i].split('\t');
  const note = Buffer.from(fields[1], 'base64').toString('utf8').slice(0, -1).split('\n');
  const [dash, name, data] = note[note.length - 1].split(' ');
  assert.equal(name, vector.witness_key.split('+')[0], 'the last line is the witness\'s cosignature');
  const bytes = Buffer.from(data, 'base64');
  change(bytes);
  note[note.length - 1] = `${dash} ${name} ${bytes.toString('base64')}`;
  fields[1] = Buffer.from(`${note.join('\n')}\n`).toString('base64');
  lines[i] = fields.join('\t');
  return `${lines.join('\n')}\n`;
}

test('the cosignatures of a listed witness are checked with its key: a valid one passes, a changed one fails', async () => {
  const witnesses = [vector.witness_key];
  const checked = await checkLogProof(enc.encode(intact), stated, { trustedKey: vector.verifier_key, witnesses });
  assert.ok(checked.checks.every((x) => x.passed), JSON.stringify(checked.checks));
  const cosignature = checked.checks.filter((x) => x.kind === 'log-cosignature');
  assert.equal(cosignature.length, 1, JSON.stringify(checked));
  assert.equal(cosignature[0].message.key, 'logCosignatureChecked');
  assert.equal(cosignature[0].subject, vector.witness_key.split('+')[0]);
  assert.match(cosignature[0].detail, /^cosignature by \S+ at 20[0-9-]{8}T[0-9:]{8}Z, checked with the key the server lists$/);
  assert.ok(!checked.notes.some((x) => x.kind === 'log-cosignature'), 'a checked cosignature is no longer a note');
  assert.notEqual(checked.pins, null);
  // The whole bundle, with the witness listed, still verifies.
  const report = await verifyBundle(filesWith(intact), { logKey: vector.verifier_key, witnesses });
  assert.equal(report.verified, true, JSON.stringify(report.firstFailure));
  assert.ok(report.checks.some((x) => x.kind === 'log-cosignature' && x.passed));

  // A flipped bit of the signature, of the timestamp: the listed witness's cosignature fails.
  for (const [what, change] of [
    ['signature', (b) => (b[b.length - 1] ^= 1)],
    ['timestamp', (b) => (b[11] ^= 1)],
  ]) {
    const forged = withCosignature(change);
    assert.notEqual(forged, intact, what);
    const result = await checkLogProof(enc.encode(forged), stated, { trustedKey: vector.verifier_key, witnesses });
    const failed = result.checks.filter((x) => !x.passed);
    assert.equal(failed.length, 1, `${what}: ${JSON.stringify(result.checks)}`);
    assert.equal(failed[0].kind, 'log-cosignature', what);
    assert.equal(failed[0].message.key, 'logCosignatureInvalid', what);
    assert.equal(result.pins, null, what);
    const bundle = await verifyBundle(filesWith(forged), { logKey: vector.verifier_key, witnesses });
    assert.equal(bundle.verified, false, what);
    assert.equal(bundle.firstFailure.kind, 'log-cosignature', what);
    // Not listed, the changed cosignature is only shown, as before.
    const unlisted = await checkLogProof(enc.encode(forged), stated, { trustedKey: vector.verifier_key, witnesses: [] });
    assert.ok(unlisted.checks.every((x) => x.passed), what);
    assert.equal(unlisted.notes.filter((x) => x.kind === 'log-cosignature').length, 1, what);
  }
  // A key id of another key: no listed witness's cosignature, so a note.
  const wrongId = await checkLogProof(enc.encode(withCosignature((b) => (b[0] ^= 1))), stated, { trustedKey: vector.verifier_key, witnesses });
  assert.ok(wrongId.checks.every((x) => x.passed));
  assert.ok(!wrongId.checks.some((x) => x.kind === 'log-cosignature'));
  assert.equal(wrongId.notes.filter((x) => x.kind === 'log-cosignature' && x.message.key === 'logCosigned').length, 1);

  // Another witness listed, this one not: its cosignature stays a note.
  const other = 'other.example/witness+' + '0'.repeat(8) + '+' + Buffer.concat([Buffer.from([4]), Buffer.alloc(32, 1)]).toString('base64');
  const notListed = await checkLogProof(enc.encode(intact), stated, { trustedKey: vector.verifier_key, witnesses: [other] });
  assert.ok(notListed.checks.every((x) => x.passed));
  assert.ok(!notListed.checks.some((x) => x.kind === 'log-cosignature'));
  assert.equal(notListed.notes.filter((x) => x.kind === 'log-cosignature').length, 1);
});

test('for a drand task, the earliest checked cosignature must come before the round\'s time', async () => {
  const witnesses = [vector.witness_key];
  const early = await checkLogProof(enc.encode(intact), stated, { trustedKey: vector.verifier_key, roundTime: Date.UTC(2999, 0, 1), witnesses });
  assert.ok(early.checks.every((x) => x.passed), JSON.stringify(early.checks));
  const pass = early.checks.find((x) => x.kind === 'log-witness-time');
  assert.equal(pass.message.key, 'logWitnessedBeforeChecked', JSON.stringify(pass));
  assert.ok(!early.notes.some((x) => x.kind === 'log-witness-time'));
  assert.notEqual(early.pins, null);
  // A round at or before the cosignature's time fails.
  const checked = early.checks.find((x) => x.kind === 'log-cosignature');
  const [, stamp] = /at (\S+), checked/.exec(checked.detail);
  for (const roundTime of [Date.parse(stamp), Date.UTC(2000, 0, 1)]) {
    const late = await checkLogProof(enc.encode(intact), stated, { trustedKey: vector.verifier_key, roundTime, witnesses });
    const failed = late.checks.filter((x) => !x.passed);
    assert.equal(failed.length, 1, JSON.stringify(late.checks));
    assert.equal(failed[0].kind, 'log-witness-time');
    assert.equal(failed[0].message.key, 'logWitnessedNotBeforeChecked');
    assert.match(failed[0].detail, /NOT before/);
    assert.equal(late.pins, null);
  }
  // One second after the cosignature, the round is after it.
  const justAfter = await checkLogProof(enc.encode(intact), stated, { trustedKey: vector.verifier_key, roundTime: Date.parse(stamp) + 1000, witnesses });
  assert.ok(justAfter.checks.every((x) => x.passed));
});

/** Refused variants of the intact file: every one must be refused by both readers. */
function refusals() {
  const lines = intact.slice(0, -1).split('\n');
  const entry = lines.findIndex((l) => l.startsWith('entry\t'));
  const withLine = (i, line) => `${lines.map((l, j) => (j === i ? line : l)).join('\n')}\n`;
  const fields = lines[entry].split('\t');
  const withField = (k, value) => withLine(entry, fields.map((f, j) => (j === k ? value : f)).join('\t'));
  return [
    ['no final newline', intact.slice(0, -1)],
    ['another magic line', intact.replace('opendraw-log-proof\t1', 'opendraw-log-proof\t2')],
    ['a second key line', `${intact}key\t${vector.verifier_key}\n`],
    ['an empty line', `${intact}\n`],
    ['an unknown line', `${intact}note\tsomething\n`],
    ['an entry of 9 fields', withLine(entry, fields.slice(0, 9).join('\t'))],
    ['a sequence number that is no number', withField(1, 'x4')],
    ['a task that is no number', withField(4, '-1')],
    ['a payload that is not base64', withField(6, `${fields[6]}!`)],
    ['a payload with stray bits', withField(6, 'YR==')],
    ['an upper-case previous hash', withField(7, fields[7].toUpperCase())],
    ['a short stated hash', withField(8, fields[8].slice(1))],
    ['a proof hash of 63 digits', withField(9, fields[9].slice(1))],
    ['a checkpoint that is not base64', withLine(2, 'checkpoint\t@@@')],
    ['no key', intact.replace(/^key\t[^\n]*\n/m, '')],
  ];
}


const cli = process.env.OPENDRAW_BIN || join(root, 'target', 'debug', 'opendraw');

test('what the reference reader refuses, this reader refuses, each as a log proof failure', async () => {
  assert.ok(existsSync(cli), `the opendraw binary is needed at ${cli} (cargo build)`);
  const dir = mkdtempSync(join(tmpdir(), 'opendraw-log-proof-'));
  try {
    for (const [name, text] of refusals()) {
      assert.notEqual(text, intact, name);
      const files = filesWith(text);
      const path = join(dir, 'bundle.tar');
      writeFileSync(path, ustar([...files.entries()]));
      const rust = spawnSync(cli, ['verify', path], { encoding: 'utf8' });
      assert.equal(rust.status, 1, `${name}: ${rust.stdout}${rust.stderr}`);
      assert.match(rust.stdout, /^FAIL {2}log proof: /m, `${name}: ${rust.stdout}`);
      const report = await verifyBundle(files, { logKey: vector.verifier_key });
      assert.equal(report.firstFailure?.kind, 'log-proof', `${name}: ${JSON.stringify(report.firstFailure)}`);
    }
    // And the intact file passes both.
    const path = join(dir, 'bundle.tar');
    writeFileSync(path, ustar([...filesWith(intact).entries()]));
    const rust = spawnSync(cli, ['verify', path, '--log-key', vector.verifier_key], { encoding: 'utf8' });
    assert.equal(rust.status, 0, rust.stdout + rust.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
