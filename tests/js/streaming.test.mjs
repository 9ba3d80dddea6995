// Verifying a bundle as it arrives (verifyStream, TarReader, TargetsParser, sha256.js)
// gives what verifying it whole gives, however the bytes are cut into pieces.
// Run with: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256, toHex, readTar, TarReader, TargetsParser, parseTargets, verifyBundle, verifyStream } from '../../public/verify.js';
import { Sha256 } from '../../public/sha256.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const vector = (name) => JSON.parse(readFileSync(join(root, 'tests', 'vectors', name), 'utf8'));
const enc = new TextEncoder();
const verify = vector('verify.json');
const invalid = vector('invalid.json');

// Piece sizes that cut headers, contents and padding at every kind of place.
const CUTS = [1, 7, 100, 511, 512, 513, 4096, 1 << 20];

/** A ustar archive of the members, in the order given, as opendraw packs it (§11). */
function tarOf(members) {
  const blocks = [];
  for (const [name, bytes] of members) {
    const h = new Uint8Array(512);
    h.set(enc.encode(name), 0);
    const octal = (value, at, width) => h.set(enc.encode(value.toString(8).padStart(width - 1, '0') + '\0'), at);
    octal(0o644, 100, 8);
    octal(0, 108, 8);
    octal(0, 116, 8);
    octal(bytes.length, 124, 12);
    octal(0, 136, 12);
    h.fill(0x20, 148, 156);
    h[156] = 0x30;
    h.set(enc.encode('ustar\0'), 257);
    h.set(enc.encode('00'), 263);
    let sum = 0;
    for (const x of h) sum += x;
    h.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    blocks.push(h, bytes, new Uint8Array(Math.ceil(bytes.length / 512) * 512 - bytes.length));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let p = 0;
  for (const b of blocks) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

const ORDER = ['commitment.tsv', 'parameters.tsv', 'targets.tsv', 'inspectors.tsv', 'recusals.tsv', 'reveal.tsv', 'result.tsv', 'replacements.tsv'];

function bundleOf(c) {
  const names = ORDER.filter((name) => c.files[name] !== undefined);
  return tarOf(names.map((name) => [name, enc.encode(c.files[name])]));
}

async function* piecesOf(bytes, size) {
  for (let p = 0; p < bytes.length; p += size) yield bytes.slice(p, p + size);
}

/** The error message of `fn`, or null. */
async function failure(fn) {
  try {
    await fn();
    return null;
  } catch (e) {
    return e.message;
  }
}

test('sha256.js gives the digests WebCrypto gives, whatever the pieces', async () => {
  const data = new Uint8Array(300 + (1 << 20));
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300, data.length]) {
    const input = data.subarray(0, length);
    const expected = toHex(await sha256(input));
    for (const size of [1, 3, 64, 100, 4096, length || 1]) {
      const hasher = new Sha256();
      for (let p = 0; p < length; p += size) hasher.update(input.subarray(p, p + size));
      assert.equal(toHex(hasher.digest()), expected, `${length} bytes in pieces of ${size}`);
    }
  }
});

test('verify.json: every case streamed in pieces reports what it reports whole', async () => {
  for (const c of verify.cases) {
    const tar = bundleOf(c);
    const whole = await verifyBundle(readTar(tar), c.pins);
    for (const size of CUTS.slice(1)) {
      for (const length of [tar.length, null]) {
        const fractions = [];
        const streamed = await verifyStream(piecesOf(tar, size), c.pins, (f) => fractions.push(f), length);
        assert.deepEqual(streamed, whole, `${c.name} in pieces of ${size}, length ${length}`);
        assert.ok(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1])), `${c.name}: progress only grows`);
      }
    }
  }
});

test('a ReadableStream is read as it comes, as a fetch body is', async () => {
  const c = verify.cases.find((x) => x.name === 'untouched');
  const tar = bundleOf(c);
  let sent = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (sent >= tar.length) return controller.close();
      controller.enqueue(tar.slice(sent, sent + 333));
      sent += 333;
    },
  });
  const report = await verifyStream(body, c.pins, () => {}, tar.length);
  assert.equal(report.verified, true);
  assert.deepEqual(report, await verifyBundle(readTar(tar), c.pins));
});

test('invalid.json: a target manifest read as it arrives is refused with the error of reading it whole', () => {
  const cases = invalid.cases.filter((c) => c.file === 'targets.tsv');
  assert.ok(cases.length > 0);
  for (const c of cases) {
    const bytes = c.hex !== undefined ? new Uint8Array(Buffer.from(c.hex, 'hex')) : enc.encode(c.text);
    let expected = null;
    try {
      parseTargets(bytes);
    } catch (e) {
      expected = e.message;
    }
    assert.ok(expected, c.description);
    for (const size of [1, 5, 64]) {
      const parser = new TargetsParser(bytes);
      for (let n = size; n < bytes.length + size; n += size) parser.advance(Math.min(n, bytes.length));
      assert.throws(() => parser.finish(), (e) => e.name === 'ProtocolError' && e.message === expected, `${c.description} (pieces of ${size})`);
    }
  }
});

test('an archive readTar refuses is refused with the same error when it arrives in pieces', async () => {
  const c = verify.cases.find((x) => x.name === 'untouched');
  const tar = bundleOf(c);
  const lastHeader = tar.length - 1024 - 512 * Math.ceil(enc.encode(c.files['result.tsv']).length / 512) - 512;
  const badSum = tar.slice();
  badSum[lastHeader + 1] ^= 1;
  const renamed = tar.slice();
  renamed.set(enc.encode('notes.txt\0'), lastHeader);
  const archives = {
    'bad checksum': badSum,
    'unknown member with a bad checksum': renamed,
    'no last member': tar.slice(0, lastHeader),
    truncated: tar.slice(0, lastHeader + 600),
    'stopping inside a block': tar.slice(0, tar.length - 1024 + 100),
    'without end blocks': tar.slice(0, tar.length - 1024),
  };
  for (const [label, archive] of Object.entries(archives)) {
    const expected = await failure(() => readTar(archive));
    for (const size of CUTS) {
      for (const length of [archive.length, null]) {
        const found = await failure(() => {
          const reader = new TarReader({ length });
          for (let p = 0; p < archive.length; p += size) reader.push(archive.subarray(p, p + size));
          return reader.end();
        });
        assert.equal(found, expected, `${label}, pieces of ${size}, length ${length}`);
        if (expected !== null) {
          assert.equal(await failure(() => verifyStream(piecesOf(archive, size), c.pins, () => {}, length)), expected, label);
        }
      }
    }
  }
});
