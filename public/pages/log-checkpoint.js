// @ts-check
// The log page's watch over the log's signed head. The browser fetches the
// log's verifier key and its newest checkpoint, verifies the checkpoint's
// signature, and remembers the key (at first sight) and the head it
// verified. On a later visit a larger log must come with a consistency proof
// from the remembered head; a changed key, a smaller log, the same size with
// another root or a failing proof raises the alarm: this server showed the
// reader a different history than before. Each witness cosignature of the
// head is checked with the key the server lists for its witness
// (/api/public/log/witnesses), and marked checked, not valid, or not
// checked when its witness is not listed. Nothing is sent anywhere.

import { ApiError, errorOf } from '../lib/api.js';
import {
  CheckpointError,
  checkAgainstRemembered,
  checkCosignatures,
  parseVerifierKey,
  parseWitnessKey,
  toBase64,
  verifyCheckpoint,
} from '../lib/checkpoint.js';
import { fill, h, tx } from '../lib/dom.js';
import { formatTime, timeEl } from '../lib/format.js';
import { onLangChange, t } from '../lib/i18n.js';

/** Where the browser keeps the head it verified last (localStorage). */
export const STORAGE_KEY = 'opendraw.log.checkpoint';

/** The alarm's headline, in both languages at once whatever the page's. */
const ALARM = { zh: '此服务器向你展示了与之前不同的历史', en: 'This server showed you a different history' };

/** @returns {import('../lib/checkpoint.js').Remembered | null} */
function remembered() {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
    return value && typeof value === 'object' ? value : null;
  } catch (_) {
    return null;
  }
}

/** @param {import('../lib/checkpoint.js').Remembered} head */
function remember(head) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(head));
  } catch (_) {
    /* not remembered: the next visit starts afresh */
  }
}

/** @param {string} text */
function hexHash(text) {
  if (typeof text !== 'string' || !/^[0-9a-f]{64}$/.test(text)) throw new Error('a proof hash is not 64 hex digits');
  return new Uint8Array(text.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
}

/**
 * The consistency proof the server gives between two sizes.
 * @param {number} from
 * @param {number} size
 */
async function consistencyProof(from, size) {
  // The server marks a proof immutable, but a proof is named by two sizes
  // only: one kept from another server at this address (a fork, shown
  // once) would raise the alarm against an honest one for as long as it
  // is kept. The browser asks again, and keeps the answer if it is the same.
  const answer = await fetchJson(`/api/public/log/consistency?from=${from}&size=${size}`, 'no-cache');
  if (answer.from !== from || answer.size !== size || !Array.isArray(answer.hashes)) {
    throw new Error(`the answer is not the proof from ${from} to ${size}`);
  }
  return answer.hashes.map(hexHash);
}

/**
 * GETs JSON from the API past the browser's cache as `cache` says.
 * @param {string} path
 * @param {RequestCache} cache
 */
async function fetchJson(path, cache) {
  let response;
  try {
    response = await fetch(path, { cache, headers: { Accept: 'application/json' } });
  } catch (error) {
    throw new ApiError(0, 'network', String(error && error.message ? error.message : error));
  }
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** The newest signed checkpoint, as text. */
async function fetchCheckpoint() {
  const response = await fetch('/log/checkpoint', { cache: 'no-store' });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return response.text();
}

/**
 * The witnesses' keys the server lists, read; a key that cannot be read is
 * left out (its witness's cosignatures show as not checked), and so is the
 * whole list when it cannot be had.
 * @returns {Promise<import('../lib/checkpoint.js').VerifierKey[]>}
 */
async function listedWitnesses() {
  let list;
  try {
    list = await fetchJson('/api/public/log/witnesses', 'no-store');
  } catch (_) {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const keys = [];
  for (const witness of list) {
    try {
      keys.push(await parseWitnessKey(witness && witness.verifier_key));
    } catch (_) {
      /* not a witness key: nothing to check with */
    }
  }
  return keys;
}

/** How each cosignature's check reads, and its mark's class. */
const COSIGNATURE_STATUS = {
  checked: { label: 'log.checkpoint.cosignature.checked', mark: '✓', cls: 'cosignature-checked' },
  invalid: { label: 'log.checkpoint.cosignature.invalid', mark: '✗', cls: 'cosignature-invalid' },
  unlisted: { label: 'log.checkpoint.cosignature.unlisted', mark: '–', cls: 'cosignature-unlisted' },
};

/**
 * The key, the head and its cosignatures, as a list of terms.
 * @param {import('../lib/checkpoint.js').VerifierKey} key
 * @param {import('../lib/checkpoint.js').Checkpoint} checkpoint
 * @param {import('../lib/checkpoint.js').CosignatureStatus[]} cosignatures
 * @param {string} seenAt
 * @param {string} [seenLabel] what the time is: first seen, or shown now
 */
function headDetails(key, checkpoint, cosignatures, seenAt, seenLabel = 'log.checkpoint.seen') {
  const row = (label, value) => h('div', {}, h('dt', {}, tx(label)), h('dd', {}, value));
  return [
    h(
      'dl',
      { class: 'facts facts-wide', id: 'log-checkpoint-details' },
      row('log.checkpoint.key', h('code', { class: 'digest', id: 'log-verifier-key' }, key.text)),
      row('log.checkpoint.size', h('span', { id: 'log-checkpoint-size' }, String(checkpoint.size))),
      row('log.checkpoint.root', h('code', { class: 'digest', id: 'log-checkpoint-root' }, checkpoint.rootBase64)),
      row(seenLabel, timeEl(seenAt)),
    ),
    cosignatures.length
      ? h(
          'div',
          {},
          h('p', {}, tx('log.checkpoint.cosigned', { n: cosignatures.length })),
          h(
            'ul',
            { id: 'log-cosignatures' },
            cosignatures.map((c) => {
              const status = COSIGNATURE_STATUS[c.status];
              return h(
                'li',
                { 'data-status': c.status },
                h('code', {}, c.name),
                ' ',
                timeEl(new Date(c.timestamp * 1000).toISOString()),
                ' ',
                h('span', { class: `cosignature-status ${status.cls}` }, h('span', { 'aria-hidden': 'true' }, status.mark), ' ', tx(status.label)),
              );
            }),
          ),
        )
      : h('p', { class: 'muted' }, tx('log.checkpoint.noCosignatures')),
  ];
}

/**
 * The alarm: the headline in both languages, the reason in the page's.
 * @param {CheckpointError} error
 * @param {import('../lib/checkpoint.js').Remembered} before
 */
function alarm(error, before) {
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert', id: 'log-checkpoint-alarm', 'data-reason': error.reason },
    h('p', { class: 'notice-title', lang: 'zh-CN' }, ALARM.zh),
    h('p', { class: 'notice-title', lang: 'en' }, ALARM.en),
    h('p', {}, tx(`log.checkpoint.alarm.${error.reason}`, { size: before.size })),
    // The check's own words name keys and hashes, which wrap anywhere to fit a phone.
    h('p', { lang: 'en', class: 'check-detail' }, error.message),
    h(
      'p',
      {},
      tx('log.checkpoint.alarm.before', { size: before.size, seen: formatTime(before.seenAt) }),
      ' ',
      h('code', { class: 'digest', id: 'log-checkpoint-alarm-root' }, before.root),
    ),
    h('p', {}, tx('log.checkpoint.alarm.kept')),
  );
}

/** Fetches, verifies and compares the log's signed head; fills `box`. */
export async function watchCheckpoint(/** @type {HTMLElement} */ box) {
  let render = () => /** @type {import('../lib/dom.js').Child} */ (h('p', {}, tx('loading')));
  const show = (/** @type {string} */ state, /** @type {() => import('../lib/dom.js').Child} */ fn) => {
    box.dataset.state = state;
    render = fn;
    fill(box, fn());
  };
  onLangChange(() => fill(box, render()));
  box.setAttribute('aria-busy', 'true');
  try {
    let keyAnswer;
    let note;
    /** @type {Promise<import('../lib/checkpoint.js').VerifierKey[]>} */
    let witnesses = Promise.resolve([]);
    try {
      // The key as the server has it now: a key kept from an earlier visit
      // would hide a changed one.
      witnesses = listedWitnesses();
      [keyAnswer, note] = await Promise.all([fetchJson('/api/public/log/key', 'no-store'), fetchCheckpoint()]);
    } catch (e) {
      const message = e && e.message ? e.message : String(e);
      show('unavailable', () => h('p', { class: 'muted' }, t('log.checkpoint.unavailable', { message })));
      return;
    }
    const before = remembered();
    let key;
    let checkpoint;
    try {
      key = await parseVerifierKey(keyAnswer.verifier_key);
      checkpoint = await verifyCheckpoint(note, key);
    } catch (e) {
      const message = e && e.message ? e.message : String(e);
      show('invalid', () => h('div', { class: 'notice notice-error', role: 'alert' }, h('p', {}, t('log.checkpoint.invalid')), h('p', { lang: 'en' }, message)));
      return;
    }
    // The cosignatures are checked as the witnesses are listed now: a
    // cosignature says nothing of the history until it holds.
    const cosignatures = await checkCosignatures(checkpoint, await witnesses);
    const now = new Date().toISOString();
    let outcome;
    try {
      outcome = await checkAgainstRemembered(before, key, checkpoint, consistencyProof);
    } catch (e) {
      if (!(e instanceof CheckpointError) || !before) throw e;
      // The remembered head stays: every later visit raises the alarm again.
      const shown = /** @type {import('../lib/checkpoint.js').Checkpoint} */ (checkpoint);
      const shownKey = /** @type {import('../lib/checkpoint.js').VerifierKey} */ (key);
      show('alarm', () => [alarm(e, before), ...headDetails(shownKey, shown, cosignatures, now, 'log.checkpoint.shownAt')]);
      return;
    }
    const seenAt = outcome === 'same' && before ? before.seenAt : now;
    remember({ verifierKey: key.text, size: checkpoint.size, root: toBase64(checkpoint.root), seenAt });
    const verdict = {
      first: 'log.checkpoint.first',
      same: 'log.checkpoint.same',
      extends: 'log.checkpoint.extends',
    }[outcome];
    const shown = checkpoint;
    const shownKey = key;
    show(outcome, () => [
      h('div', { class: 'verdict verdict-ok' }, h('p', { class: 'verdict-line' }, t(verdict, { size: shown.size, from: before ? before.size : 0 }))),
      ...headDetails(shownKey, shown, cosignatures, seenAt),
    ]);
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    show('error', () => h('p', { role: 'alert' }, t('log.verify.error', { message })));
  } finally {
    box.removeAttribute('aria-busy');
  }
}
