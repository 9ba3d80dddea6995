// @ts-check
// The signed-in staff member, and requests on their behalf. The session
// lives in an HttpOnly cookie the page cannot read; the page keeps only the
// CSRF token the server gave at sign-in (GET /api/session gives it again
// after a reload), and sends it with every request that changes anything.

import { ApiError, errorOf } from '../lib/api.js';

/**
 * @typedef {{id: number, name: string, role: 'admin' | 'supervisor' | 'inspector',
 *   department: string | null, inspector_id: string | null}} User
 */

/** @type {{user: User, csrf: string} | null} */
let current = null;
/** @type {Array<() => void>} */
const signedOutListeners = [];

/** The signed-in user, or null. */
export function user() {
  return current ? current.user : null;
}

/** Calls `fn` when a request finds the session over (expired, signed out elsewhere). */
export function onSignedOut(/** @type {() => void} */ fn) {
  signedOutListeners.push(fn);
}

/** Asks the server whether this browser has a session; the user or null. */
export async function restore() {
  const response = await fetch('/api/session', { headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    current = null;
    return null;
  }
  if (!response.ok) throw await errorOf(response);
  const body = await response.json();
  current = { user: body.user, csrf: body.csrf_token };
  return current.user;
}

/** Signs in; throws ApiError (bad_credentials, too_many_failed_attempts, …). */
export async function signIn(/** @type {string} */ username, /** @type {string} */ password) {
  const body = await send('POST', '/api/session', { username, password });
  current = { user: body.user, csrf: body.csrf_token };
  return current.user;
}

export async function signOut() {
  try {
    await send('DELETE', '/api/session');
  } finally {
    current = null;
  }
}

/**
 * A request as the signed-in user: JSON in (an object body) or raw (a
 * string or Blob with its own type), JSON or nothing out. A 401 means the
 * session ended: the listeners are told, and the ApiError is thrown.
 * @param {string} method
 * @param {string} path
 * @param {any} [body]
 * @param {{type?: string, headers?: Record<string, string>}} [options]
 * @returns {Promise<any>}
 */
export async function send(method, path, body, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  if (method !== 'GET' && current) headers['X-CSRF-Token'] = current.csrf;
  let payload;
  if (body instanceof Blob || typeof body === 'string') {
    payload = body;
    headers['Content-Type'] = options.type || 'text/csv; charset=utf-8';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    // Under the site's Referrer-Policy (no-referrer) a POST would carry
    // `Origin: null`; the server checks the Origin of every change, so the
    // console (its <meta name="referrer"> too) says where requests come from.
    response = await fetch(path, { method, headers, body: payload, referrerPolicy: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, 'network', String(error && error.message ? error.message : error));
  }
  if (response.status === 401 && path !== '/api/session') {
    current = null;
    for (const fn of signedOutListeners) fn();
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** GETs `path` as the signed-in user. */
export function get(/** @type {string} */ path) {
  return send('GET', path);
}

/**
 * Uploads `body` with progress (fetch cannot report an upload's progress).
 * @param {string} path
 * @param {Blob} body
 * @param {(sent: number, total: number) => void} onProgress
 * @returns {Promise<any>}
 */
export function upload(path, body, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('Content-Type', 'text/csv; charset=utf-8');
    if (current) request.setRequestHeader('X-CSRF-Token', current.csrf);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener('error', () => reject(new ApiError(0, 'network', 'the connection failed')));
    request.addEventListener('load', () => {
      let parsed = null;
      try {
        parsed = JSON.parse(request.responseText);
      } catch (_) {
        /* not JSON */
      }
      if (request.status >= 200 && request.status < 300) return resolve(parsed);
      if (request.status === 401) {
        current = null;
        for (const fn of signedOutListeners) fn();
      }
      reject(
        new ApiError(
          request.status,
          (parsed && parsed.code) || `http_${request.status}`,
          (parsed && parsed.message) || request.statusText,
          (parsed && parsed.field) || null,
          parsed,
        ),
      );
    });
    request.send(body);
  });
}
