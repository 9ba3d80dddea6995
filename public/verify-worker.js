// Module worker: new Worker('verify-worker.js', {type: 'module'}).
// Receives {url, pins: {commitment, result, replacements, committedAt, task}} (the bundle's
// address, and what the public log holds of the task; see verifyBundle). It asks the
// server for the log's published key (/api/public/log/key), which the bundle's log.tsv
// must be signed with, and for the witnesses it lists (/api/public/log/witnesses), whose
// keys check the cosignatures log.tsv carries; downloads the bundle and verifies it as it arrives (verifyStream),
// posting
// {type: 'progress', fraction, label, downloading} while working, then
// {type: 'report', report} (the result of verifyBundle), or {type: 'error', message} —
// {type: 'error', network: true} when the server could not be reached.
import { verifyStream } from './verify.js';

/** The log's verifier key as the server publishes it, or null when it cannot be had. */
async function publishedLogKey() {
  try {
    const response = await fetch('/api/public/log/key');
    if (!response.ok) return null;
    const body = await response.json();
    return typeof body.verifier_key === 'string' ? body.verifier_key : null;
  } catch {
    return null;
  }
}

/**
 * The verifier keys of the witnesses the server lists, or [] when the list
 * cannot be had: the cosignatures then stay unchecked notes.
 */
async function listedWitnesses() {
  try {
    const response = await fetch('/api/public/log/witnesses');
    if (!response.ok) return [];
    const body = await response.json();
    if (!Array.isArray(body)) return [];
    return body.map((w) => (w && typeof w.verifier_key === 'string' ? w.verifier_key : null)).filter((k) => k !== null);
  } catch {
    return [];
  }
}

self.onmessage = async (event) => {
  const { url, pins } = event.data || {};
  try {
    if (typeof url !== 'string') throw new Error('no bundle given');
    const logKey = publishedLogKey();
    const witnesses = listedWitnesses();
    let response;
    try {
      response = await fetch(url);
    } catch {
      self.postMessage({ type: 'error', network: true });
      return;
    }
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        message = (await response.json()).message || message;
      } catch {
        // keep the status
      }
      throw new Error(message);
    }
    // A gzipped answer's Content-Length counts the gzipped bytes, not the
    // archive's; then the archive's own end tells whether it came whole.
    const encoded = response.headers.get('content-encoding');
    const length = encoded ? null : Number(response.headers.get('content-length')) || null;
    let last = -1;
    let lastLabel = null;
    const given = {
      commitment: pins?.commitment ?? null,
      result: pins?.result ?? null,
      replacements: pins?.replacements ?? null,
      committedAt: pins?.committedAt ?? null,
      task: pins?.task ?? null,
      logKey: await logKey,
      witnesses: await witnesses,
    };
    const report = await verifyStream(response.body, given, (fraction, label, downloading) => {
      // at most one message per percent, and every change of step
      const pct = Math.floor(fraction * 100);
      if (pct !== last || label !== lastLabel || fraction === 1) {
        last = pct;
        lastLabel = label;
        self.postMessage({ type: 'progress', fraction, label, downloading });
      }
    }, length);
    self.postMessage({ type: 'report', report });
  } catch (e) {
    self.postMessage({ type: 'error', message: e && e.message ? e.message : String(e) });
  }
};
