// The Merkle tree checks of public/lib/merkle.js (RFC 9162 §2.1) against the
// reference tree of Certificate Transparency's tests: eight leaves, the
// roots of its first 1 to 8 leaves, and inclusion and consistency proofs
// between them, as the Go verifier of transparency-dev/merkle records them
// (proof/verify_test.go); every proof changed in one way or another fails.
// Run with: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  ProofError,
} from '../../public/lib/merkle.js';

const hex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);

/** ROOTS[n - 1] is the root of the first n leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);

/** Inclusion proofs: leaf number (1-based), tree size, proof. */
const INCLUSION = [
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [2, 5, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
].map(([leaf, size, proof]) => ({ leaf, size, proof: proof.map(hex) }));

/** Consistency proofs: old size, new size, proof. */
const CONSISTENCY = [
  [1, 8, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4']],
  [6, 8, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [6, 7, ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7']],
].map(([first, second, proof]) => ({ first, second, proof: proof.map(hex) }));

const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
const EMPTY_ROOT = hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

async function refused(promise, label) {
  await assert.rejects(promise, (e) => e instanceof ProofError && e.message.length > 0, label);
}

test('leaf and node hashes give the reference roots of 1 to 8 leaves', async () => {
  const hashes = await Promise.all(LEAVES.map(leafHash));
  for (let n = 1; n <= 8; n++) {
    assert.deepEqual(await rootOf(hashes.slice(0, n)), ROOTS[n - 1], `root of ${n}`);
  }
  assert.deepEqual(await rootOf([]), EMPTY_ROOT);
  assert.deepEqual(await nodeHash(hashes[0], hashes[1]), ROOTS[1]);
});

test('the reference consistency proofs hold, and each change to one fails', async () => {
  for (const { first, second, proof } of CONSISTENCY) {
    const [r1, r2] = [ROOTS[first - 1], ROOTS[second - 1]];
    const label = `${first} → ${second}`;
    await verifyConsistency(first, second, r1, r2, proof);
    const probes = [
      [first - 1, second, r1, r2, proof, 'old size − 1'],
      [first + 1, second, r1, r2, proof, 'old size + 1'],
      [first ^ 2, second, r1, r2, proof, 'old size ^ 2'],
      [first, second * 2, r1, r2, proof, 'new size × 2'],
      [first, Math.floor(second / 2), r1, r2, proof, 'new size ÷ 2'],
      [first, second, SOME_HASH, r2, proof, 'wrong old root'],
      [first, second, r1, SOME_HASH, proof, 'wrong new root'],
      [first, second, r2, r1, proof, 'roots swapped'],
      [first, second, r1, r2, [], 'empty proof'],
      [first, second, r1, r2, [...proof, r1], 'old root appended'],
      [first, second, r1, r2, [...proof, r2], 'new root appended'],
      [first, second, r1, r2, [r1, ...proof], 'old root prepended'],
      [first, second, r1, r2, [r2, ...proof], 'new root prepended'],
      [first, second, r1, r2, [proof[0], ...proof], 'first hash repeated'],
      [first, second, r1, r2, proof.slice(0, -1), 'last hash removed'],
    ];
    for (let i = 0; i < proof.length; i++) {
      const changed = proof.map((h) => h.slice());
      changed[i][0] ^= 16;
      probes.push([first, second, r1, r2, changed, `bit 4 of hash ${i} flipped`]);
    }
    for (const [a, b, ra, rb, p, what] of probes) {
      await refused(verifyConsistency(a, b, ra, rb, p), `${label}: ${what}`);
    }
  }
});

test('equal sizes need equal roots and no proof; a tree never shrinks', async () => {
  await verifyConsistency(5, 5, ROOTS[4], ROOTS[4], []);
  await verifyConsistency(0, 3, EMPTY_ROOT, ROOTS[2], []);
  await refused(verifyConsistency(5, 5, ROOTS[4], SOME_HASH, []), 'same size, another root');
  await refused(verifyConsistency(5, 5, ROOTS[4], ROOTS[4], [SOME_HASH]), 'same size with a proof');
  await refused(verifyConsistency(6, 5, ROOTS[5], ROOTS[4], []), 'shrunk');
  await refused(verifyConsistency(1, 2, ROOTS[0], ROOTS[1], []), 'empty proof between sizes');
  await refused(verifyConsistency(1.5, 2, ROOTS[0], ROOTS[1], []), 'not a size');
  await refused(verifyConsistency(1, 2, ROOTS[0], ROOTS[1], [new Uint8Array(31)]), 'a short hash');
});

test('the reference inclusion proofs hold, and each change to one fails', async () => {
  for (const { leaf, size, proof } of INCLUSION) {
    const hash = await leafHash(LEAVES[leaf - 1]);
    const root = ROOTS[size - 1];
    const label = `leaf ${leaf} of ${size}`;
    await verifyInclusion(leaf - 1, size, hash, root, proof);
    const probes = [
      [leaf - 2, size, hash, root, proof, 'index − 1'],
      [leaf, size, hash, root, proof, 'index + 1'],
      [(leaf - 1) ^ 2, size, hash, root, proof, 'index ^ 2'],
      [leaf - 1, size * 2, hash, root, proof, 'size × 2'],
      [leaf - 1, Math.floor(size / 2), hash, root, proof, 'size ÷ 2'],
      [leaf - 1, size, SOME_HASH, root, proof, 'wrong leaf'],
      [leaf - 1, size, hash, EMPTY_ROOT, proof, 'empty root'],
      [leaf - 1, size, hash, root, [...proof, root], 'root appended'],
      [leaf - 1, size, hash, root, [root, ...proof], 'root prepended'],
      [leaf - 1, size, hash, root, proof.slice(0, -1), 'last hash removed'],
    ];
    for (let i = 0; i < proof.length; i++) {
      const changed = proof.map((h) => h.slice());
      changed[i][0] ^= 8;
      probes.push([leaf - 1, size, hash, root, changed, `bit 3 of hash ${i} flipped`]);
    }
    for (const [i, n, l, r, p, what] of probes) {
      if (i < 0) continue;
      await refused(verifyInclusion(i, n, l, r, p), `${label}: ${what}`);
    }
  }
  await refused(verifyInclusion(0, 0, SOME_HASH, EMPTY_ROOT, []), 'an empty tree has no leaf');
});

// Proofs made by RFC 9162 §2.1.4.1's SUBPROOF, independently of the
// verifier, for every pair of sizes of a tree of 33 leaves.
async function subproof(m, leaves, b) {
  const n = leaves.length;
  if (m === n) return b ? [] : [await rootOf(leaves)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) return [...(await subproof(m, leaves.slice(0, k), b)), await rootOf(leaves.slice(k))];
  return [...(await subproof(m - k, leaves.slice(k), false)), await rootOf(leaves.slice(0, k))];
}

test('proofs between every pair of sizes up to 33 hold, and fail for the wrong old root', async () => {
  const leaves = [];
  for (let i = 0; i < 33; i++) leaves.push(await leafHash(new Uint8Array([i, i ^ 0x5a])));
  const roots = [];
  for (let n = 1; n <= leaves.length; n++) roots.push(await rootOf(leaves.slice(0, n)));
  for (let m = 1; m <= leaves.length; m++) {
    for (let n = m + 1; n <= leaves.length; n++) {
      const proof = await subproof(m, leaves.slice(0, n), true);
      await verifyConsistency(m, n, roots[m - 1], roots[n - 1], proof);
      const other = m > 1 ? roots[m - 2] : SOME_HASH;
      await refused(verifyConsistency(m, n, other, roots[n - 1], proof), `${m} → ${n}, another old root`);
    }
  }
});
