// Module worker: new Worker('verify-worker.js', {type: 'module'}).
// Receives {bundle: ArrayBuffer, pins: {commitment, result, committedAt}}; posts
// {type: 'progress', fraction, label} while working, then {type: 'report', report}
// (the result of verifyBundle) or {type: 'error', message}.
import { readTar, verifyBundle } from './verify.js';

self.onmessage = async (event) => {
  const { bundle, pins } = event.data || {};
  try {
    if (!(bundle instanceof ArrayBuffer) && !ArrayBuffer.isView(bundle)) throw new Error('no bundle given');
    const bytes = bundle instanceof ArrayBuffer ? new Uint8Array(bundle) : new Uint8Array(bundle.buffer, bundle.byteOffset, bundle.byteLength);
    self.postMessage({ type: 'progress', fraction: 0, label: 'reading the bundle' });
    const files = readTar(bytes);
    let last = -1;
    let lastLabel = null;
    const report = await verifyBundle(files, { commitment: pins?.commitment ?? null, result: pins?.result ?? null, committedAt: pins?.committedAt ?? null }, (fraction, label) => {
      // at most one message per percent, and every change of step
      const pct = Math.floor(fraction * 100);
      if (pct !== last || label !== lastLabel || fraction === 1) {
        last = pct;
        lastLabel = label;
        self.postMessage({ type: 'progress', fraction, label });
      }
    });
    self.postMessage({ type: 'report', report });
  } catch (e) {
    self.postMessage({ type: 'error', message: e && e.message ? e.message : String(e) });
  }
};
