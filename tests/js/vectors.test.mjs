// The independent JavaScript verifier (public/verify.js) against every test vector.
// Run with: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ustar } from './ustar.mjs';
import {
  sha256,
  taggedHash,
  chacha20Words,
  DrawStream,
  kOfN,
  readTar,
  recompute,
  verifyBundle,
  verifyLog,
  toHex,
  fromHex64,
  parseTargets,
  parseInspectors,
  parseRecusals,
  parseParameters,
  parseCommitment,
  parseReveal,
  parseResult,
  parseReplacements,
  replacementStream,
  replacementCandidates,
  replay,
  replacementLineKey,
  keyedLineDigest,
  pinsFromLog,
  wholeLog,
  taskCommittedTo,
  OPTIONAL_MEMBERS,
  checkDrandRound,
  drandEntropy,
  drandSignatureValid,
} from '../../public/verify.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const verifyJs = join(root, 'public', 'verify.js');
const vector = (name) => JSON.parse(readFileSync(join(root, 'tests', 'vectors', name), 'utf8'));
const enc = new TextEncoder();
const hexBytes = (hex) => new Uint8Array(Buffer.from(hex, 'hex'));

const chacha = vector('chacha20.json');
const uniform = vector('uniform.json');
const kofn = vector('k-of-n.json');
const draws = vector('draws.json');
const verify = vector('verify.json');
const invalid = vector('invalid.json');
const replacements = vector('replacements.json');
const verifyDrand = vector('verify-drand.json');
const drand = vector('drand.json');

// A stream that hands out listed words, for uniform.json's word_cases.
class ListedWords extends DrawStream {
  constructor(words) {
    super(new Uint8Array(32));
    this.words = words;
    this.used = 0;
  }
  nextWord() {
    if (this.used >= this.words.length) throw new Error('ran out of listed words');
    return this.words[this.used++];
  }
}

test('tagged hash and secret hash examples of §3.1 and §3.2', async () => {
  const raw = hexBytes('0000000000000003' + '746167' + '0000000000000002' + '6162' + '0000000000000000');
  assert.equal(raw.length, 29);
  assert.equal(toHex(await taggedHash('tag', [enc.encode('ab'), new Uint8Array(0)])), toHex(await sha256(raw)));
  const secret = fromHex64('01203f5e7d9cbbdaf91837567594b3d2f1102f4e6d8cabcae90827466584a3c2');
  assert.equal(toHex(await taggedHash('opendraw/v1/secret', [secret])), 'e0fc142cd977774fc0c600ab549c3fd330d87fe234ecd4e0a99ce373fc2bf715');
});

test('chacha20.json: words and keystream', () => {
  assert.ok(chacha.cases.length > 0);
  for (const c of chacha.cases) {
    const words = chacha20Words(hexBytes(c.key), c.words.length);
    assert.deepEqual(Array.from(words), c.words, c.name);
    const ks = hexBytes(c.keystream);
    const asWords = chacha20Words(hexBytes(c.key), ks.length / 4);
    const bytes = new Uint8Array(asWords.buffer);
    // little-endian words, read back as bytes (the test machine is little-endian; check it)
    assert.equal(new Uint8Array(new Uint32Array([1]).buffer)[0], 1);
    assert.equal(toHex(bytes), c.keystream, c.name);
    const stream = new DrawStream(hexBytes(c.key));
    for (const w of c.words) assert.equal(stream.nextWord(), w);
    assert.equal(stream.wordsRead, c.words.length);
  }
});

test('§5 example: the seed of §4 gives the listed words', () => {
  const words = chacha20Words(hexBytes('f08f9b22665190636cbb808567d2e632ae05e2b317f4ad26facee6a027ea7f99'), 6);
  assert.deepEqual(Array.from(words), [3657860430, 953076520, 4151962403, 2324315419, 3944060017, 1270125932]);
});

test('uniform.json: word_cases', () => {
  assert.ok(uniform.word_cases.length > 0);
  for (const c of uniform.word_cases) {
    assert.equal(4294967296 - (4294967296 % c.n), c.limit);
    const s = new ListedWords(c.words);
    for (const r of c.results) {
      const before = s.used;
      assert.equal(s.uniformBelow(c.n), r.value, `n = ${c.n}`);
      assert.equal(s.used - before, r.words_used, `n = ${c.n}`);
    }
  }
});

test('uniform.json: seeded_cases', () => {
  assert.ok(uniform.seeded_cases.length > 0);
  for (const c of uniform.seeded_cases) {
    const s = new DrawStream(hexBytes(c.seed));
    const values = c.values.map(() => s.uniformBelow(c.n));
    assert.deepEqual(values, c.values, `n = ${c.n}`);
    assert.equal(s.wordsRead, c.words_read, `n = ${c.n}`);
  }
});

test('k-of-n.json: chosen and words read', () => {
  assert.ok(kofn.cases.length > 0);
  for (const c of kofn.cases) {
    const s = new DrawStream(hexBytes(c.seed));
    assert.deepEqual(kOfN(c.n, c.k, s), c.chosen, `${c.k} of ${c.n}`);
    assert.equal(s.wordsRead, c.words_read, `${c.k} of ${c.n}`);
  }
});

test('draws.json: every expected field, via recompute', async () => {
  assert.ok(draws.cases.length > 0);
  for (const c of draws.cases) {
    const files = { ...c.inputs };
    for (const name of ['parameters.tsv', 'targets.tsv', 'inspectors.tsv', 'recusals.tsv']) files[name] = enc.encode(c.inputs[name]);
    const got = await recompute(files);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(c.expected).sort(), c.name);
    for (const key of Object.keys(c.expected)) assert.deepEqual(got[key], c.expected[key], `${c.name}: ${key}`);
  }
});

function filesOf(c) {
  const files = new Map();
  for (const [name, text] of Object.entries(c.files)) files.set(name, enc.encode(text));
  return files;
}

function assertReport(report, expected, label) {
  assert.deepEqual(
    report.checks.map((c) => [c.kind, c.subject, c.passed]),
    expected.checks,
    label,
  );
  assert.equal(report.verified, expected.verified, label);
  if (expected.first_failure === null) assert.equal(report.firstFailure, null, label);
  else {
    assert.deepEqual({ kind: report.firstFailure.kind, subject: report.firstFailure.subject }, expected.first_failure, label);
    assert.ok(report.firstFailure.detail.length > 0, label);
  }
  for (const c of report.checks) assert.equal(typeof c.detail, 'string', label);
}

test('verify.json: the checks of §10 for every case', async () => {
  assert.ok(verify.cases.length > 0);
  let tars = 0;
  for (const c of verify.cases) {
    const fractions = [];
    const report = await verifyBundle(filesOf(c), c.pins, (f) => fractions.push(f));
    assertReport(report, c.expected, c.name);
    for (const f of fractions) assert.ok(f >= 0 && f <= 1);
    if (c['bundle.tar'] !== undefined) {
      tars++;
      const members = readTar(new Uint8Array(Buffer.from(c['bundle.tar'], 'base64')));
      assert.deepEqual([...members.keys()].sort(), Object.keys(c.files).sort());
      for (const [name, bytes] of members) assert.equal(Buffer.from(bytes).toString('utf8'), c.files[name], name);
      assertReport(await verifyBundle(members, c.pins), c.expected, `${c.name} (bundle.tar)`);
    }
  }
  assert.equal(tars, 1);
});

test('verify-drand.json: the drand checks of §10 check 5, the BLS signature included, as in Rust', async () => {
  assert.ok(verifyDrand.cases.length > 0);
  assert.ok(OPTIONAL_MEMBERS.includes('drand.tsv'), 'a bundle may carry drand.tsv');
  for (const c of verifyDrand.cases) {
    assertReport(await verifyBundle(filesOf(c), c.pins), c.expected, c.name);
  }
  const published = verifyDrand.cases.find((c) => c.name === 'drand-round');
  const report = await verifyBundle(filesOf(published), published.pins);
  assert.equal(report.verified, true);
  const signature = report.checks.find((x) => x.kind === 'beacon' && x.subject === 'signature');
  assert.match(signature.detail, /valid for round 1000 under the quicknet public key/);
});

test('verify-drand.json: a revealed entropy that is not the round\'s randomness fails the beacon entropy check', async () => {
  const published = verifyDrand.cases.find((c) => c.name === 'drand-round');
  const files = filesOf(published);
  const reveal = published.files['reveal.tsv'];
  const entropy = reveal.match(/^entropy\t([0-9a-f]{64})$/m)[1];
  const other = (entropy[0] === '0' ? '1' : '0') + entropy.slice(1);
  files.set('reveal.tsv', enc.encode(reveal.replace(`entropy\t${entropy}`, `entropy\t${other}`)));
  const report = await verifyBundle(files, published.pins);
  assert.equal(report.verified, false);
  const check = report.checks.find((x) => x.kind === 'beacon' && x.subject === 'entropy');
  assert.equal(check.passed, false);
  assert.match(check.detail, new RegExp(`reveal.tsv states ${other}, the round's randomness SHA-256\\(signature\\) is ${entropy}`));
});

test('drand.json: recorded rounds give their randomness; another round, signature or chain is refused at its check', async () => {
  assert.ok(drand.checks.length > 0);
  for (const c of drand.checks) {
    assert.deepEqual(await checkDrandRound(c.committed, c.round), c.expected, c.name);
  }
  for (const r of drand.rounds) {
    assert.equal(await drandEntropy(r.signature), r.randomness, `round ${r.round}`);
    assert.equal(await drandSignatureValid(String(r.round), r.signature), true, `round ${r.round}`);
    assert.equal(await drandSignatureValid(String(r.round + 1), r.signature), false, `round ${r.round} as ${r.round + 1}`);
  }
  assert.equal(await drandSignatureValid('1000', 'zz'), false);
  // 96 hex digits that are no point of G1 are refused, not thrown.
  assert.equal(await drandSignatureValid('1000', 'b4' + '00'.repeat(47)), false);
});

const parsers = {
  'targets.tsv': parseTargets,
  'inspectors.tsv': parseInspectors,
  'recusals.tsv': parseRecusals,
  'parameters.tsv': parseParameters,
  'commitment.tsv': parseCommitment,
  'reveal.tsv': parseReveal,
  'result.tsv': parseResult,
};

test('invalid.json: every file is refused, alone and inside a bundle', async () => {
  assert.ok(invalid.cases.length > 0);
  const good = verify.cases.find((c) => c.name === 'untouched');
  for (const c of invalid.cases) {
    const bytes = c.hex !== undefined ? hexBytes(c.hex) : enc.encode(c.text);
    const parse = parsers[c.file];
    assert.ok(parse, `a parser for ${c.file}`);
    assert.throws(() => parse(bytes), (e) => e.name === 'ProtocolError' && e.message.length > 0, `${c.file}: ${c.description}`);
    const files = filesOf(good);
    files.set(c.file, bytes);
    const report = await verifyBundle(files, good.pins);
    assert.equal(report.verified, false, `${c.file}: ${c.description} (in a bundle)`);
  }
});

test('readTar refuses missing, repeated and unknown members', () => {
  const tar = new Uint8Array(Buffer.from(verify.cases[0]['bundle.tar'], 'base64'));
  // Walk the members to find their header offsets.
  const headers = [];
  for (let p = 0; tar[p] !== 0; ) {
    const size = parseInt(Buffer.from(tar.subarray(p + 124, p + 136)).toString('latin1').replace(/\0.*$/, '').trim(), 8);
    headers.push({ p, end: p + 512 + Math.ceil(size / 512) * 512 });
    p = headers.at(-1).end;
  }
  assert.equal(headers.length, 7);
  const rename = (bytes, at, name) => {
    const copy = bytes.slice();
    copy.fill(0, at, at + 100);
    copy.set(enc.encode(name), at);
    copy.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = at; i < at + 512; i++) sum += copy[i];
    copy.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), at + 148);
    return copy;
  };
  const last = headers[6];
  const withoutLast = new Uint8Array([...tar.subarray(0, last.p), ...tar.subarray(last.end)]);
  assert.throws(() => readTar(withoutLast), /missing member "result.tsv"/);
  assert.throws(() => readTar(rename(tar, last.p, 'reveal.tsv')), /repeated member "reveal.tsv"/);
  assert.throws(() => readTar(rename(tar, last.p, 'notes.txt')), /unknown member "notes.txt"/);
  assert.throws(() => readTar(rename(tar, last.p, './result.tsv')), /unknown member/);
  const badSum = tar.slice();
  badSum[last.p + 1] ^= 1;
  assert.throws(() => readTar(badSum), /checksum/);
});

test('command line: exit 0 on the bundle, 1 on a tampered copy, 2 on bad usage', () => {
  const c = verify.cases[0];
  const dir = mkdtempSync(join(tmpdir(), 'opendraw-verify-'));
  try {
    const tar = Buffer.from(c['bundle.tar'], 'base64');
    const good = join(dir, 'bundle.tar');
    writeFileSync(good, tar);
    const run = (...args) => spawnSync(process.execPath, [verifyJs, ...args], { encoding: 'utf8' });

    let r = run(good, '--commitment', c.pins.commitment, '--result-digest', c.pins.result);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^pass {2}file-digest parameters\.tsv/m);
    assert.doesNotMatch(r.stdout, /FAIL/);
    r = run(good);
    assert.equal(r.status, 0, r.stdout + r.stderr);

    const at = tar.indexOf('target\t2\tB\tB03');
    assert.ok(at > 0);
    const bad = Buffer.from(tar);
    bad.write('target\t2\tB\tB93', at);
    const tampered = join(dir, 'tampered.tar');
    writeFileSync(tampered, bad);
    r = run(tampered, '--commitment', c.pins.commitment, '--result-digest', c.pins.result);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^FAIL {2}stratum B: draw 1 of stratum B \(position 2\): expected target "B03", found "B93"/m);

    r = run(good, '--commitment', '0'.repeat(64));
    assert.equal(r.status, 1);

    assert.equal(run().status, 2);
    assert.equal(run(good, '--commitment').status, 2);
    assert.equal(run(good, '--commitment', 'XYZ').status, 2);
    assert.equal(run(good, '--frobnicate').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A small public log (§15), hashed by hand from the one-stratum-count vector.
async function entry(seq, prev, kind, task, payload, actor = 'alice') {
  const text = JSON.stringify(payload);
  const payloadDigest = toHex(await sha256(enc.encode(text)));
  const at = `2026-12-01T08:${String(seq).padStart(2, '0')}:00.000Z`;
  const hash = toHex(
    await taggedHash('opendraw/v1/log-entry', [
      enc.encode(String(seq)),
      enc.encode(at),
      enc.encode(kind),
      enc.encode(task === null ? '' : String(task)),
      enc.encode(actor),
      hexBytes(payloadDigest),
      hexBytes(prev),
    ]),
  );
  return { seq, at, kind, task, actor, payload: text, payload_digest: payloadDigest, prev_hash: prev, hash };
}

/** Log entries for `specs` ([kind, task, payload] each), chained from the first. */
async function chain(specs) {
  const log = [];
  let prev = '0'.repeat(64);
  for (const [kind, task, payload] of specs) {
    const e = await entry(log.length + 1, prev, kind, task, payload);
    log.push(e);
    prev = e.hash;
  }
  return log;
}

async function buildLog() {
  const v = draws.cases[0];
  const x = v.expected;
  const specs = [
    ['task.created', 1, { task: 1, name: 'markets', department: 'market' }],
    ['task.committed', 1, { task: 1, commitment: x.commitment_digest, protocol: 1, ...x.digests, secret_hash: x.secret_hash, entropy_format: 'digits', entropy_source: v.inputs.entropy_source, pool_size: 12 }],
    ['task.created', 2, { task: 2, name: 'shops', department: 'market' }],
    ['task.drawn', 1, { task: 1, commitment: x.commitment_digest, entropy: v.inputs.entropy, result: x.result_digest, status: 'complete', drawn: 4 }],
    ['task.committed', 2, { task: 2, commitment: 'ab'.repeat(32), secret_hash: 'cd'.repeat(32) }],
    ['task.revealed', 1, { task: 1, commitment: x.commitment_digest, secret: v.inputs.secret, entropy: v.inputs.entropy, seed: x.seed, result: x.result_digest }],
  ];
  return chain(specs);
}

test('verifyLog: a good chain, then a changed payload', async () => {
  const log = await buildLog();
  const good = await verifyLog(log);
  assert.deepEqual(good.problems, []);
  assert.equal(good.passed, true);
  assert.equal(good.head, log.at(-1).hash);
  assert.deepEqual(good.open, [2]);

  const changed = structuredClone(log);
  changed[3].payload = changed[3].payload.replace('"drawn":4', '"drawn":5');
  const r = await verifyLog(changed);
  assert.equal(r.passed, false);
  assert.ok(r.problems.some((p) => /entry 4: payload_digest/.test(p)), r.problems.join('\n'));

  // The payload and its digest rewritten together: the entry hash no longer recomputes.
  const rehashed = structuredClone(log);
  rehashed[3].payload = changed[3].payload;
  rehashed[3].payload_digest = toHex(await sha256(enc.encode(changed[3].payload)));
  const r2 = await verifyLog(rehashed);
  assert.equal(r2.passed, false);
  assert.ok(r2.problems.some((p) => /entry 4: hash .* does not recompute/.test(p)), r2.problems.join('\n'));

  // An entry removed: a gap, and a broken prev_hash.
  const r3 = await verifyLog([...log.slice(0, 2), ...log.slice(3)]);
  assert.equal(r3.passed, false);
  assert.ok(r3.problems.some((p) => /sequence number/.test(p)));
  assert.ok(r3.problems.some((p) => /prev_hash/.test(p)));
});

test('verifyLog: lifecycle and reveal checks', async () => {
  const log = await buildLog();
  // A reveal whose seed does not derive, properly hashed into the chain.
  const specs = log.map((e) => [e.kind, e.task, JSON.parse(e.payload)]);
  specs[5][2].seed = '00'.repeat(32);
  specs.push(['task.drawn', 1, { task: 1, commitment: 'ee'.repeat(32) }]);
  const bad = await chain(specs);
  const r = await verifyLog(bad);
  assert.equal(r.passed, false);
  assert.ok(r.problems.some((p) => /entry 6: task 1: seed/.test(p)), r.problems.join('\n'));
  assert.ok(r.problems.some((p) => /entry 7: task 1: task.drawn after task.revealed/.test(p)), r.problems.join('\n'));
});

// ---------------------------------------------------------------------------
// Replacements (§16)

const drawNamed = (name) => {
  const d = draws.cases.find((c) => c.name === name);
  assert.ok(d, `draws.json has ${name}`);
  return d;
};

test('replacements.json: every case reproduced exactly', async () => {
  assert.ok(replacements.cases.length > 0);
  for (const c of replacements.cases) {
    const d = drawNamed(c.draw);
    const got = await replay({ ...d.inputs, 'result.tsv': d.expected['result.tsv'], seed: d.expected.seed }, c.steps);
    assert.deepEqual(got, c.expected, c.draw);
    // The file parses back to the steps and the inspectors drawn in.
    const parsed = parseReplacements(enc.encode(got['replacements.tsv']));
    assert.equal(parsed.commitment, d.expected.commitment_digest);
    assert.deepEqual(
      parsed.replacements.map((r) => [r.number, r.target, r.department, r.out, r.in, r.reason]),
      c.steps.map((s, i) => [i + 1, s.target, s.department, s.out, c.expected.replacements[i], s.reason]),
    );
  }
});

test('§16 pieces: the replacement stream and the candidates', async () => {
  const d = drawNamed('balanced-workload');
  const seed = hexBytes(d.expected.seed);
  // Key = H("opendraw/v1/replacement", seed, "R"); one uniform(n) per replacement.
  const key = await taggedHash('opendraw/v1/replacement', [seed, enc.encode('2')]);
  const a = await replacementStream(seed, 2);
  const b = new DrawStream(key);
  for (let i = 0; i < 20; i++) assert.equal(a.nextWord(), b.nextWord());
  const params = parseParameters(enc.encode(d.inputs['parameters.tsv']));
  const inspectors = parseInspectors(enc.encode(d.inputs['inspectors.tsv']));
  const recusals = parseRecusals(enc.encode(d.inputs['recusals.tsv']));
  // S04 (region R1): I3 is recused; cross-region excludes nobody (inspectors are R2/R3).
  const s04 = { id: 'S04', region: 'R1', unit: '' };
  assert.deepEqual(replacementCandidates(params, inspectors, recusals, s04, 'market', ['I2', 'I4']), ['I1', 'I5', 'I6']);
  assert.deepEqual(replacementCandidates(params, inspectors, recusals, s04, 'health', ['I2', 'I4']), []);
  // An inspector of the target's own region is no candidate with cross region.
  assert.deepEqual(replacementCandidates(params, inspectors, recusals, { id: 'X', region: 'R3', unit: '' }, 'market', ['I1']), ['I2', 'I3']);
});


// The bundle of 'balanced-workload' with the replacements of replacements.json.
function replacedBundle(replacementsTsv) {
  const d = drawNamed('balanced-workload');
  const c = replacements.cases.find((x) => x.draw === 'balanced-workload');
  return [
    ['commitment.tsv', d.expected['commitment.tsv']],
    ...['parameters.tsv', 'targets.tsv', 'inspectors.tsv', 'recusals.tsv'].map((n) => [n, d.inputs[n]]),
    ['reveal.tsv', d.expected['reveal.tsv']],
    ['result.tsv', d.expected['result.tsv']],
    ['replacements.tsv', replacementsTsv ?? c.expected['replacements.tsv']],
  ];
}
const balancedPins = () => {
  const x = drawNamed('balanced-workload').expected;
  return { commitment: x.commitment_digest, result: x.result_digest };
};
const DRAW_CHECKS = [
  ['file-digest', 'parameters.tsv'],
  ['file-digest', 'targets.tsv'],
  ['file-digest', 'inspectors.tsv'],
  ['file-digest', 'recusals.tsv'],
  ['commitment', 'digest'],
  ['secret', 'against its hash'],
  ['seed', 'derivation'],
  ['stratum', 'all'],
  ['inspectors', 'of every target'],
  ['outcome', 'status'],
  ['result-digest', 'result.tsv'],
];
const MEMBERS_ALL = ['commitment.tsv', 'parameters.tsv', 'targets.tsv', 'inspectors.tsv', 'recusals.tsv', 'reveal.tsv', 'result.tsv', 'replacements.tsv'];
const goodReplacements = () => replacements.cases.find((x) => x.draw === 'balanced-workload').expected['replacements.tsv'];
const withIn2 = () => goodReplacements().replace('replace\t2\tS14\tmarket\tI5\tI3\t', 'replace\t2\tS14\tmarket\tI5\tI2\t');
const otherCommitment = () => goodReplacements().replace(drawNamed('balanced-workload').expected.commitment_digest, 'ab'.repeat(32));

test('check 9: a bundle with replacements.tsv verifies, checks in order', async () => {
  const tar = ustar(replacedBundle());
  const files = readTar(new Uint8Array(tar));
  assert.deepEqual([...files.keys()].sort(), [...MEMBERS_ALL].sort());
  const report = await verifyBundle(files, balancedPins());
  assert.deepEqual(
    report.checks.map((c) => [c.kind, c.subject, c.passed]),
    [...DRAW_CHECKS.map(([k, s]) => [k, s, true]), ['replacement', '1', true], ['replacement', '2', true], ['replacement', '3', true]],
  );
  assert.equal(report.verified, true);
  assert.equal(report.firstFailure, null);
  // Without replacements.tsv the same bundle has only the draw's checks.
  const seven = await verifyBundle(new Map([...files].filter(([n]) => n !== 'replacements.tsv')), balancedPins());
  assert.deepEqual(seven.checks.map((c) => [c.kind, c.subject]), DRAW_CHECKS);
});

test('check 9: a changed IN fails at its replacement, naming expected and found', async () => {
  const report = await verifyBundle(readTar(new Uint8Array(ustar(replacedBundle(withIn2())))), balancedPins());
  assert.equal(report.verified, false);
  assert.deepEqual(report.checks.slice(-3).map((c) => [c.kind, c.subject, c.passed]), [['replacement', '1', true], ['replacement', '2', false], ['replacement', '3', true]]);
  assert.deepEqual({ kind: report.firstFailure.kind, subject: report.firstFailure.subject }, { kind: 'replacement', subject: '2' });
  const detail = report.firstFailure.detail;
  assert.match(detail, /"S14"/);
  assert.match(detail, /market/);
  assert.match(detail, /expected "I3", found "I2"/);
});

test('check 9: replacements.tsv for another commitment, or malformed, fails as a document', async () => {
  let report = await verifyBundle(readTar(new Uint8Array(ustar(replacedBundle(otherCommitment())))), balancedPins());
  assert.equal(report.verified, false);
  assert.deepEqual({ kind: report.firstFailure.kind, subject: report.firstFailure.subject }, { kind: 'document', subject: 'replacements.tsv' });
  assert.match(report.firstFailure.detail, /abab/);
  assert.deepEqual(report.checks.map((c) => [c.kind, c.subject, c.passed]), [...DRAW_CHECKS.map(([k, s]) => [k, s, true]), ['document', 'replacements.tsv', false]]);
  for (const bad of [
    goodReplacements().replace('replace\t3', 'replace\t4'),
    goodReplacements().replace('replace\t1', 'replace\t01'),
    goodReplacements().replace('transferred', 'x'.repeat(1025)),
    goodReplacements().replace('transferred', 'transferred '),
    goodReplacements().replace('transferred', 'transferred\tx'),
    goodReplacements().replace('opendraw-replacements\t1', 'opendraw-replacements\t2'),
    'opendraw-replacements\t1\n',
  ]) {
    assert.throws(() => parseReplacements(enc.encode(bad)), (e) => e.name === 'ProtocolError');
    report = await verifyBundle(new Map(replacedBundle(bad).map(([n, t]) => [n, enc.encode(t)])), balancedPins());
    assert.deepEqual({ kind: report.firstFailure.kind, subject: report.firstFailure.subject }, { kind: 'document', subject: 'replacements.tsv' }, bad);
  }
  // A reason of exactly 1024 bytes is allowed (but changes nothing drawn).
  report = await verifyBundle(new Map(replacedBundle(goodReplacements().replace('transferred', 'é'.repeat(512))).map(([n, t]) => [n, enc.encode(t)])), balancedPins());
  assert.equal(report.verified, true);
});

test('readTar: replacements.tsv is the one optional member', () => {
  const tar = new Uint8Array(ustar(replacedBundle()));
  assert.equal(readTar(tar).size, 8);
  const files = replacedBundle();
  assert.throws(() => readTar(new Uint8Array(ustar([...files, ['replacements.tsv', goodReplacements()]]))), /repeated member "replacements.tsv"/);
  assert.throws(() => readTar(new Uint8Array(ustar([...files, ['replacement.tsv', goodReplacements()]]))), /unknown member "replacement.tsv"/);
  assert.throws(() => readTar(new Uint8Array(ustar(files.filter(([n]) => n !== 'result.tsv')))), /missing member "result.tsv"/);
});

// The reference CLI as a black box, when it has been built (cargo build).
// `cargo test` names the binary it built; run by hand, the debug build is used.
const cli = process.env.OPENDRAW_BIN || join(root, 'target', 'debug', 'opendraw');
test('the Rust CLI agrees on the replaced bundles', { skip: !existsSync(cli) && 'the opendraw binary is not built (cargo build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opendraw-replaced-'));
  try {
    for (const [name, text, verified] of [
      ['valid', goodReplacements(), true],
      ['in-changed', withIn2(), false],
      ['other-commitment', otherCommitment(), false],
    ]) {
      const tar = ustar(replacedBundle(text));
      const path = join(dir, `${name}.tar`);
      writeFileSync(path, tar);
      const pins = balancedPins();
      const r = spawnSync(cli, ['verify', path, '--commitment', pins.commitment, '--result-digest', pins.result], { encoding: 'utf8' });
      const js = await verifyBundle(readTar(new Uint8Array(tar)), pins);
      assert.equal(js.verified, verified, name);
      assert.equal(r.status, verified ? 0 : 1, `${name}: ${r.stdout}${r.stderr}`);
      const rust = r.stdout.split('\n').filter((l) => /^(pass|FAIL) /.test(l)).map((l) => l.startsWith('pass'));
      assert.deepEqual(rust, js.checks.map((c) => c.passed), `${name}: ${r.stdout}`);
      if (!verified) {
        const first = r.stdout.split('\n').find((l) => l.startsWith('FAIL'));
        assert.ok(first.includes(js.firstFailure.kind === 'replacement' ? `replacement ${js.firstFailure.subject}` : 'replacements.tsv'), first);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verifyLog: task.replaced after the draw, not before it', async () => {
  const base = (await buildLog()).map((e) => [e.kind, e.task, JSON.parse(e.payload)]);
  const replaced = (n) => ['task.replaced', 1, { task: 1, replacement: n, line: 'e3'.repeat(32) }];
  const chain = async (specs) => {
    const log = [];
    let prev = '0'.repeat(64);
    for (const [kind, task, payload] of specs) {
      const e = await entry(log.length + 1, prev, kind, task, payload);
      log.push(e);
      prev = e.hash;
    }
    return verifyLog(log);
  };
  // After task.drawn (index 3), and once more after the reveal: accepted, state unchanged.
  let r = await chain([...base.slice(0, 4), replaced(1), ...base.slice(4), replaced(2)]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.open, [2]);
  // Replaced and not yet revealed: the task stays open.
  r = await chain([...base.slice(0, 4), replaced(1)]);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.open, [1]);
  // Before task.drawn (right after task.committed): refused.
  r = await chain([...base.slice(0, 2), replaced(1), ...base.slice(2)]);
  assert.equal(r.passed, false);
  assert.ok(r.problems.some((p) => /entry 3: task 1: task.replaced after task.committed/.test(p)), r.problems.join('\n'));
  // Numbers out of order: refused.
  r = await chain([...base.slice(0, 4), replaced(2)]);
  assert.equal(r.passed, false);
  assert.ok(r.problems.some((p) => /replacement 2 where 1 comes next/.test(p)), r.problems.join('\n'));
});

test('verifyLog: item.published and item.retired (§15.2) name no task and pass among task entries', async () => {
  const base = (await buildLog()).map((e) => [e.kind, e.task, JSON.parse(e.payload)]);
  const fields = { code: 'FOOD-01', name: '食品经营检查', legal_basis: '', department: 'market', target_category: '', method: '现场检查', sampling_ratio_bp: 500, frequency: '每年一次' };
  const published = ['item.published', null, { ...fields, version: 1, effective_from: '2026-12-01', effective_until: null }];
  const retired = ['item.retired', null, { ...fields, version: 1, effective_from: '2026-12-01', effective_until: '2026-12-02', reason: '调整' }];
  const log = [];
  let prev = '0'.repeat(64);
  for (const [kind, task, payload] of [published, ...base.slice(0, 2), retired, ...base.slice(2)]) {
    const e = await entry(log.length + 1, prev, kind, task, payload);
    log.push(e);
    prev = e.hash;
  }
  const r = await verifyLog(log);
  assert.deepEqual(r.problems, []);
  assert.equal(r.passed, true);
});

// Item: the replacements are pinned to the log (§10, check 9; §16).

test('§16: the keyed line digest is H(replacement-line, H(replacement-line-key, seed, R), line)', async () => {
  const d = drawNamed('balanced-workload');
  const c = replacements.cases.find((x) => x.draw === 'balanced-workload');
  const seed = hexBytes(d.expected.seed);
  const parsed = parseReplacements(enc.encode(c.expected['replacements.tsv']));
  for (const [i, r] of parsed.replacements.entries()) {
    const key = await taggedHash('opendraw/v1/replacement-line-key', [seed, enc.encode(String(i + 1))]);
    assert.equal(toHex(await replacementLineKey(seed, i + 1)), toHex(key));
    assert.equal(toHex(key), c.expected.line_keys[i]);
    const line = ['replace', r.number, r.target, r.department, r.out, r.in, r.reason].join('\t');
    const keyed = toHex(await taggedHash('opendraw/v1/replacement-line', [key, enc.encode(line)]));
    assert.equal(keyed, c.expected.keyed_lines[i]);
    assert.equal(await keyedLineDigest(seed, r), keyed);
    assert.notEqual(keyed, c.expected.line_digests[i], 'not the plain SHA-256 of the line');
  }
});

const replacedLog = async (pins, lineKey = 'keyed_line') => {
  const specs = [
    ['task.created', 7, { task: 7, name: 'replaced', department: 'market' }],
    ['task.committed', 7, { task: 7, commitment: pins.commitment }],
    ['task.drawn', 7, { task: 7, commitment: pins.commitment, result: pins.result }],
    ...pins.replacements.map((digest, i) => ['task.replaced', 7, { task: 7, replacement: i + 1, [lineKey]: digest }]),
  ];
  return chain(specs);
};

test('pinsFromLog: a task\'s commitment, result, replacements in order, and commitment time', async () => {
  const c = verify.cases.find((x) => x.name === 'replaced-untouched');
  const log = await replacedLog(c.pins);
  assert.equal(taskCommittedTo(log, c.pins.commitment), 7);
  assert.equal(taskCommittedTo(log, 'ab'.repeat(32)), null);
  const pins = pinsFromLog(log, 7);
  assert.deepEqual(pins, { ...c.pins, committedAt: log[1].at });
  assert.throws(() => pinsFromLog(log, 8), /no commitment of task 8/);
  const report = await verifyBundle(filesOf(c), pins);
  assert.equal(report.verified, true);
  assert.equal(report.pinned, true);
  // Entries logged before keyed digests hold the plain SHA-256 as `line`: still a pin.
  const plain = verify.cases.find((x) => x.name === 'replaced-plain-pins');
  const old = pinsFromLog(await replacedLog(plain.pins, 'line'), 7);
  assert.deepEqual(old.replacements, plain.pins.replacements);
  assert.equal((await verifyBundle(filesOf(c), old)).verified, true);
});

test('verifyBundle: pinned only with the commitment, result and replacement pins', async () => {
  const c = verify.cases.find((x) => x.name === 'replaced-untouched');
  const files = filesOf(c);
  assert.equal((await verifyBundle(files, c.pins)).pinned, true);
  assert.equal((await verifyBundle(files, { ...c.pins, replacements: null })).pinned, false);
  assert.equal((await verifyBundle(files, { ...c.pins, replacements: null })).verified, true);
  assert.equal((await verifyBundle(files, null)).pinned, false);
});

test('verifyLog: a replacement holds keyed_line, or line before keyed digests, not both', async () => {
  const c = verify.cases.find((x) => x.name === 'replaced-untouched');
  assert.deepEqual((await verifyLog(await replacedLog(c.pins))).problems, []);
  assert.deepEqual((await verifyLog(await replacedLog(c.pins, 'line'))).problems, []);
  const log = await replacedLog({ ...c.pins, replacements: [] });
  const both = await entry(4, log[2].hash, 'task.replaced', 7, { task: 7, replacement: 1, keyed_line: 'a1'.repeat(32), line: 'b2'.repeat(32) });
  const r = await verifyLog([...log, both]);
  assert.equal(r.passed, false);
  assert.ok(r.problems.some((p) => /needs one line digest/.test(p)), r.problems.join('\n'));
});

const REPLACED_CASES = ['replaced-untouched', 'replacements-deleted', 'replacements-last-dropped', 'replacements-reason-edited', 'replacements-line-added'];

test('command line: --log FILE and --replacements pin the replacements; without them, consistent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opendraw-pinned-'));
  try {
    const run = (...args) => spawnSync(process.execPath, [verifyJs, ...args], { encoding: 'utf8' });
    const good = verify.cases.find((x) => x.name === 'replaced-untouched');
    const logPath = join(dir, 'log.json');
    writeFileSync(logPath, JSON.stringify({ entries: await replacedLog(good.pins) }));
    for (const name of REPLACED_CASES) {
      const c = verify.cases.find((x) => x.name === name);
      const path = join(dir, `${name}.tar`);
      writeFileSync(path, ustar(Object.entries(c.files)));
      const expected = name === 'replaced-untouched' ? 0 : 1;
      let r = run(path, '--log', logPath);
      assert.equal(r.status, expected, `${name}: ${r.stdout}${r.stderr}`);
      if (expected === 0) assert.match(r.stdout, /^VERIFIED: .*the public log pins/m);
      else assert.match(r.stdout, /^NOT VERIFIED: first failure replacement-digests replacements.tsv/m, name);
      r = run(path, '--commitment', c.pins.commitment, '--result-digest', c.pins.result, '--replacements', c.pins.replacements.join(','));
      assert.equal(r.status, expected, `${name}: ${r.stdout}${r.stderr}`);
      // With the two digest pins only, a tampered list of replacements cannot be seen: consistent, never verified.
      r = run(path, '--commitment', c.pins.commitment, '--result-digest', c.pins.result);
      assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^CONSISTENT: /m, name);
      assert.doesNotMatch(r.stdout, /^VERIFIED/m, name);
    }
    assert.equal(run(join(dir, 'replaced-untouched.tar'), '--log', logPath, '--commitment', good.pins.commitment).status, 2);
    assert.equal(run(join(dir, 'replaced-untouched.tar'), '--replacements', 'xyz').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Rust CLI agrees on the replacements pinned to the log', { skip: !existsSync(cli) && 'the opendraw binary is not built (cargo build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opendraw-pinned-rust-'));
  try {
    for (const name of REPLACED_CASES) {
      const c = verify.cases.find((x) => x.name === name);
      const path = join(dir, `${name}.tar`);
      writeFileSync(path, ustar(Object.entries(c.files)));
      const r = spawnSync(cli, ['verify', path, '--commitment', c.pins.commitment, '--result-digest', c.pins.result, '--replacements', c.pins.replacements.join(',')], { encoding: 'utf8' });
      const js = await verifyBundle(filesOf(c), c.pins);
      assert.equal(r.status, js.verified ? 0 : 1, `${name}: ${r.stdout}${r.stderr}`);
      const rust = r.stdout.split('\n').filter((l) => /^(pass|FAIL) /.test(l)).map((l) => l.startsWith('pass'));
      assert.deepEqual(rust, js.checks.map((x) => x.passed), `${name}: ${r.stdout}`);
      assert.match(r.stdout, js.verified ? /^verified: /m : /^NOT verified; the first failure: FAIL {2}replacement digests/m, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a downloaded log must be the whole log: one page of it is refused', () => {
  const entries = [1, 2, 3].map((seq) => ({ seq, hash: String(seq).repeat(64).slice(0, 64) }));
  assert.deepEqual(wholeLog({ entries, head: { seq: 3, hash: entries[2].hash } }), entries);
  assert.deepEqual(wholeLog(entries), entries);
  assert.throws(() => wholeLog({ entries: entries.slice(0, 2), head: { seq: 3, hash: entries[2].hash } }), /one page, not the whole log/);
  assert.throws(() => wholeLog({ entries: entries.slice(1) }), /whole log from its first entry/);
  assert.throws(() => wholeLog({ rows: [] }), /not a list of log entries/);
});

// ---------------------------------------------------------------------------
// Frequency caps (§2.5, §17)

test('a bundle with a frequency cap verifies and reports the cap', async () => {
  const d = drawNamed('frequency-cap');
  const files = new Map();
  for (const name of ['parameters.tsv', 'targets.tsv', 'inspectors.tsv', 'recusals.tsv']) files.set(name, enc.encode(d.inputs[name]));
  for (const name of ['commitment.tsv', 'reveal.tsv', 'result.tsv']) files.set(name, enc.encode(d.expected[name]));
  const pins = { commitment: d.expected.commitment_digest, result: d.expected.result_digest, replacements: [] };
  const report = await verifyBundle(files, pins);
  assert.equal(report.verified, true, JSON.stringify(report.firstFailure));
  const caps = report.checks.filter((c) => c.kind === 'frequency-cap');
  assert.deepEqual(caps.map((c) => [c.subject, c.passed, c.message.times, c.message.year]), [['FOOD', true, 1, 2026]]);
  assert.match(caps[0].detail, /at most 1 draw\(s\) of one target for this item in 2026/);
  // A cap on an item the task does not inspect is refused.
  const params = enc.encode(d.inputs['parameters.tsv'].replace('frequency-cap\tFOOD', 'frequency-cap\tDRUG'));
  assert.throws(() => parseParameters(params), /not one of the task's items/);
});
