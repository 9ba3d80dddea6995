// @ts-check
// Photos and scans taken while offline: kept as blobs in IndexedDB (too
// large for localStorage) per user and result, already downscaled and
// with their SHA-256, and uploaded when the connection returns, after the
// result's draft (the server files evidence under a saved result). A file
// the server refuses is kept with the reason and shown, not sent again.

import { send, user } from './session.js';

const DB = 'opendraw-evidence';
const STORE = 'queue';

/**
 * @typedef {{id?: number, user: number, task: number, target: string, item: string,
 *   name: string, type: string, blob: Blob, sha256: string, error: string | null, error_code?: string | null}} QueuedFile
 * @typedef {{task: number, target: string, item: string}} Place
 */

/** @type {Array<(place: Place, attachment: any) => void>} */
const sentListeners = [];
/** @type {Array<() => void>} */
const changeListeners = [];
let sending = false;

/** Calls `fn` with each queued file the server accepted; returns a function that stops it. */
export function onQueuedSent(/** @type {(place: Place, attachment: any) => void} */ fn) {
  sentListeners.push(fn);
  return () => remove(sentListeners, fn);
}

/** Calls `fn` when the queue changes; returns a function that stops it. */
export function onQueueChange(/** @type {() => void} */ fn) {
  changeListeners.push(fn);
  return () => remove(changeListeners, fn);
}

/** @template T @param {T[]} list @param {T} fn */
function remove(list, fn) {
  const at = list.indexOf(fn);
  if (at >= 0) list.splice(at, 1);
}

function changed() {
  for (const fn of [...changeListeners]) fn();
}

/** @returns {Promise<IDBDatabase>} */
function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Runs `work` on the store in one transaction; resolves with its request's result.
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} work
 * @returns {Promise<T>}
 */
async function withStore(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

/** Keeps a prepared file of the signed-in user's result at `place` until it can be sent. */
export async function queueFile(/** @type {Place} */ place, /** @type {{name: string, type: string, blob: Blob, sha256: string}} */ file) {
  const me = user();
  if (!me) return;
  /** @type {QueuedFile} */
  const record = { user: me.id, task: place.task, target: place.target, item: place.item, ...file, error: null };
  await withStore('readwrite', (store) => store.add(record));
  changed();
}

/** The signed-in user's queued files, of `place` only when given. */
export async function queuedFiles(/** @type {Place | undefined} */ place) {
  const me = user();
  if (!me || typeof indexedDB === 'undefined') return [];
  /** @type {QueuedFile[]} */
  const all = await withStore('readonly', (store) => store.getAll()).catch(() => []);
  return all.filter(
    (f) => f.user === me.id && (!place || (f.task === place.task && f.target === place.target && f.item === place.item)),
  );
}

/** Forgets a queued file (the inspector removed it before it was sent). */
export async function dropQueued(/** @type {number} */ id) {
  await withStore('readwrite', (store) => store.delete(id));
  changed();
}

/**
 * Uploads the signed-in user's queued files whose result the server has
 * (`saved(place)`); the number still queued.
 * @param {(place: Place) => boolean} saved
 */
export async function sendQueued(saved) {
  if (sending || !navigator.onLine) return (await queuedFiles(undefined)).length;
  sending = true;
  try {
    for (const file of await queuedFiles(undefined)) {
      if (file.error || !saved(file)) continue;
      const path = `/api/me/results/${file.task}/${encodeURIComponent(file.target)}/${encodeURIComponent(file.item)}`;
      try {
        const attachment = await send('POST', `${path}/attachments?name=${encodeURIComponent(file.name)}`, file.blob, {
          type: file.type,
        });
        await withStore('readwrite', (store) => store.delete(/** @type {number} */ (file.id)));
        for (const fn of [...sentListeners]) fn(file, attachment);
      } catch (error) {
        if (!error || error.status === 0) break;
        await withStore('readwrite', (store) => store.put({ ...file, error: String(error.message || error.code), error_code: error.code || null }));
      }
    }
  } finally {
    sending = false;
    changed();
  }
  return (await queuedFiles(undefined)).length;
}
