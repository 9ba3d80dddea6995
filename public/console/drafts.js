// @ts-check
// Result drafts kept in the browser, so that a reload or a dropped
// connection at the entity's door loses nothing typed. Every change is
// written to localStorage at once (keyed by user, task, target and item)
// and marked waiting; it is then sent to the server (PUT) shortly after
// the typing stops, and marked sent only when the server acknowledged
// that very version. While the browser is offline, or a request fails for
// want of a network, drafts stay waiting; they are sent when the
// connection returns (the `online` event), when a page loads, and every
// half-minute while any waits. A refusal by the server (a contradiction,
// a result no longer editable) is kept with the draft and shown: sending
// it again unchanged would be refused again.
//
// localStorage rather than IndexedDB: a draft is a few kilobytes of text,
// and a synchronous write on every keystroke is what makes "nothing lost
// on reload" true. Photos taken offline are kept in IndexedDB
// (photo-queue.js) and sent after their result's draft.

import { queuedFiles, sendQueued } from './photo-queue.js';
import { send, user } from './session.js';

const PREFIX = 'opendraw.draft.';
const SEND_AFTER_MS = 800;
const RETRY_MS = 30000;

/**
 * @typedef {{number: number, answer: string, note: string}} Answer
 * @typedef {{outcome: string, outcome_text: string, inspection_date: string,
 *   summary: string, notes: string, answers: Answer[]}} DraftData
 * @typedef {{user: number, task: number, target: string, item: string, data: DraftData,
 *   rev: number, pending: boolean, error: string | null, error_code?: string | null, saved_at: string | null}} Draft
 * @typedef {{task: number, target: string, item: string}} DraftPlace
 */

/** @type {Array<() => void>} */
const listeners = [];
/** @type {Map<string, number>} */
const timers = new Map();
/** The send under way for each draft key. @type {Map<string, Promise<boolean>>} */
const sending = new Map();
let started = false;

/** The storage key of a draft. */
export function draftKey(/** @type {number} */ userId, /** @type {DraftPlace} */ place) {
  return `${PREFIX}${userId}.${place.task}.${encodeURIComponent(place.target)}.${encodeURIComponent(place.item)}`;
}

/** Calls `fn` whenever a draft changes state (kept, sent, refused); returns a function that stops it. */
export function onDraftChange(/** @type {() => void} */ fn) {
  listeners.push(fn);
  return () => {
    const at = listeners.indexOf(fn);
    if (at >= 0) listeners.splice(at, 1);
  };
}

function changed() {
  for (const fn of [...listeners]) fn();
}

/** @returns {Draft | null} */
function read(/** @type {string} */ key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (_) {
    return null;
  }
}

function write(/** @type {string} */ key, /** @type {Draft} */ draft) {
  window.localStorage.setItem(key, JSON.stringify(draft));
}

/** The signed-in user's draft of `place`, or null. */
export function loadDraft(/** @type {DraftPlace} */ place) {
  const me = user();
  return me ? read(draftKey(me.id, place)) : null;
}

/**
 * Keeps `data` as the signed-in user's draft of `place` (at once, in this
 * browser) and sends it to the server once the typing stops.
 * @param {DraftPlace} place
 * @param {DraftData} data
 */
export function keepDraft(place, data) {
  const me = user();
  if (!me) return;
  const key = draftKey(me.id, place);
  const before = read(key);
  /** @type {Draft} */
  const draft = {
    user: me.id,
    task: place.task,
    target: place.target,
    item: place.item,
    data,
    rev: (before ? before.rev : 0) + 1,
    pending: true,
    error: null,
    error_code: null,
    saved_at: before ? before.saved_at : null,
  };
  write(key, draft);
  window.clearTimeout(timers.get(key));
  timers.set(key, window.setTimeout(() => sendDraft(key), SEND_AFTER_MS));
  changed();
}

/** Forgets the signed-in user's draft of `place` (the server's copy is the one). */
export function dropDraft(/** @type {DraftPlace} */ place) {
  const me = user();
  if (!me) return;
  window.localStorage.removeItem(draftKey(me.id, place));
  changed();
}

/** The request body of a draft: answers only when there are any. */
function body(/** @type {DraftData} */ data) {
  /** @type {Record<string, any>} */
  const out = {
    outcome: data.outcome || null,
    outcome_text: data.outcome_text,
    inspection_date: data.inspection_date || null,
    summary: data.summary,
    notes: data.notes,
  };
  if (data.answers && data.answers.length) out.answers = data.answers;
  return out;
}

/**
 * Sends the draft under `key` if it waits; true when the server holds this
 * version afterwards. Never throws. A send of the same draft already under
 * way is waited for first, and the draft is then sent again if it changed
 * meanwhile: "submit" pressed while the typing's own send is in flight must
 * not be told the draft could not be sent.
 * @param {string} key
 * @returns {Promise<boolean>}
 */
export async function sendDraft(key) {
  window.clearTimeout(timers.get(key));
  timers.delete(key);
  for (let busy = sending.get(key); busy; busy = sending.get(key)) await busy;
  const draft = read(key);
  if (!draft) return true;
  if (!draft.pending) return true;
  if (draft.error) return false;
  if (!navigator.onLine) return false;
  const attempt = put(key, draft);
  sending.set(key, attempt);
  try {
    return await attempt;
  } finally {
    sending.delete(key);
    changed();
  }
}

/**
 * One PUT of `draft`; true when the draft in storage is still this version
 * and is now marked sent.
 * @param {string} key
 * @param {Draft} draft
 * @returns {Promise<boolean>}
 */
async function put(key, draft) {
  try {
    const path = `/api/me/results/${draft.task}/${encodeURIComponent(draft.target)}/${encodeURIComponent(draft.item)}`;
    await send('PUT', path, body(draft.data));
    const now = read(key);
    if (now && now.rev === draft.rev) {
      write(key, { ...now, pending: false, error: null, error_code: null, saved_at: new Date().toISOString() });
    }
    return !!now && now.rev === draft.rev;
  } catch (error) {
    const now = read(key);
    // A network failure leaves it waiting; a refusal is kept with it.
    if (now && error && error.status !== 0 && error.status !== 401 && now.rev === draft.rev) {
      write(key, { ...now, error: String(error.message || error.code), error_code: error.code || null });
    }
    return false;
  }
}

/** The signed-in user's drafts (`userId` when given), waiting or not. */
export function draftsOf(/** @type {number | undefined} */ userId) {
  const me = user();
  const id = userId ?? (me ? me.id : null);
  if (id === null) return [];
  /** @type {Array<{key: string, draft: Draft}>} */
  const out = [];
  const prefix = `${PREFIX}${id}.`;
  for (let i = 0; i < window.localStorage.length; i++) {
    const key = window.localStorage.key(i);
    if (!key || !key.startsWith(prefix)) continue;
    const draft = read(key);
    if (draft) out.push({ key, draft });
  }
  return out;
}

/** The signed-in user's drafts that the server has not acknowledged. */
export function waitingDrafts() {
  return draftsOf(undefined).filter(({ draft }) => draft.pending);
}

/**
 * Sends every waiting draft of the signed-in user, then the files queued
 * for results the server holds; the number of drafts and files still waiting.
 */
export async function sendWaiting() {
  for (const { key } of waitingDrafts()) await sendDraft(key);
  const files = await sendQueued((place) => {
    const draft = loadDraft(place);
    return !draft || !draft.pending;
  }).catch(() => 0);
  return waitingDrafts().length + files;
}

/** The signed-in user's files kept offline, waiting to be sent. */
export function waitingFiles() {
  return queuedFiles(undefined);
}

/**
 * At sign-out: sends what waits, then forgets the drafts the server holds.
 * Resolves to the number still waiting (kept in this browser, for the
 * next sign-in), so the caller can warn.
 */
export async function settleAtSignOut() {
  const left = await sendWaiting();
  for (const { key, draft } of draftsOf(undefined)) {
    if (!draft.pending) window.localStorage.removeItem(key);
  }
  return left;
}

/** Sends waiting drafts now, when the connection returns, and every half-minute while any waits. */
export function startSending() {
  if (started) return;
  started = true;
  window.addEventListener('online', () => {
    sendWaiting();
  });
  window.addEventListener('offline', changed);
  window.setInterval(() => {
    if (user()) sendWaiting();
  }, RETRY_MS);
  if (user()) sendWaiting();
}
