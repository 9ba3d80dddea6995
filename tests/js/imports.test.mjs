// The public site's modules form no import cycle, every import names a file
// that exists, and the protocol's second implementation (verify.js with its
// worker, sha256.js, the log's Merkle and checkpoint checks in lib/merkle.js
// and lib/checkpoint.js, and the vendored @noble/curves) imports nothing from
// the rest of the site, so that it can be read, copied and run on its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const publicDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../public');
const VERIFIER = ['verify.js', 'verify-worker.js', 'sha256.js', 'lib/merkle.js', 'lib/checkpoint.js', 'vendor/noble-curves.js'];

/** Every .js file under public/, as paths relative to it. */
function modules(dir = publicDir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith('.js') ? [relative(publicDir, path)] : [];
  });
}

/** The modules `file` imports (static imports, re-exports, and import('literal')). */
function importsOf(file) {
  const source = readFileSync(join(publicDir, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(publicDir, resolve(publicDir, dirname(file), specifier)));
}

function graph() {
  return new Map(modules().map((file) => [file, importsOf(file)]));
}

test('every import of the site names a module that exists', () => {
  for (const [file, imports] of graph()) {
    for (const target of imports) {
      assert.ok(existsSync(join(publicDir, target)), `${file} imports ${target}, which does not exist`);
    }
  }
});

/**
 * A cycle of `edges` (file → the files it imports) as a list of files that
 * starts and ends with the same one, or null when there is none.
 * @param {Map<string, string[]>} edges
 */
function findCycle(edges) {
  const state = new Map();
  const path = [];
  const visit = (file) => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const target of edges.get(file) || []) {
      const cycle = visit(target);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of edges.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

test('the site has no import cycle', () => {
  const cycle = findCycle(graph());
  assert.equal(cycle, null, `import cycle: ${(cycle || []).join(' → ')}`);
});

test('the cycle check finds a cycle and passes a chain', () => {
  const cycle = new Map([['a.js', ['b.js']], ['b.js', ['c.js']], ['c.js', ['a.js']], ['d.js', ['a.js']]]);
  assert.deepEqual(findCycle(cycle), ['a.js', 'b.js', 'c.js', 'a.js']);
  const chain = new Map([['a.js', ['b.js', 'c.js']], ['b.js', ['c.js']], ['c.js', []]]);
  assert.equal(findCycle(chain), null);
});

test('the import graph is read from the modules themselves', () => {
  const app = importsOf('app.js');
  assert.ok(app.includes('lib/i18n.js') && app.includes('pages/task.js'), app.join(', '));
});

test('the verifier imports nothing from the rest of the site', () => {
  const edges = graph();
  for (const file of VERIFIER) {
    for (const target of edges.get(file) || []) {
      assert.ok(VERIFIER.includes(target), `${file} imports ${target}`);
    }
  }
});
