// @ts-check
// Evidence attached to a result: photos (from the camera or the gallery)
// and PDF scans. Photos are made smaller in the browser before they leave
// it (at most 1600 px on the long side, as JPEG), which is what a phone on
// a weak connection can send; PDFs go as they are. Each file's SHA-256 is
// computed here (WebCrypto) and shown beside the one the server recorded,
// so the inspector sees that the file on record is the one sent. A file
// may be removed only while the result was never submitted: after that
// the record keeps it.
//
// Offline, or when the connection drops while sending, a prepared file is
// kept in the browser (photo-queue.js) and sent when the connection
// returns, after the result's draft; until then it is listed as waiting.

import { fill, h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { draftKey, keepDraft, loadDraft, sendDraft, sendWaiting } from '../../drafts.js';
import { dropQueued, onQueueChange, onQueuedSent, queueFile, queuedFiles } from '../../photo-queue.js';
import { errorsOf, keptRefusal, showErrors } from '../../forms.js';
import { send, user } from '../../session.js';
import { localTime } from '../data-table.js';
import { resultPath } from './data.js';

/** The server's bound on one file. */
export const MAX_BYTES = 10 * 1024 * 1024;
/** The long side of a photo after downscaling. */
export const MAX_SIDE = 1600;
const TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];

/** @typedef {import('./data.js').Attachment} Attachment */

/** The hex SHA-256 of `blob`. */
export async function sha256(/** @type {Blob} */ blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A photo at most MAX_SIDE px on its long side, as JPEG (on white: a PNG's
 * transparency would turn black).
 * @param {File} file
 * @returns {Promise<Blob>}
 */
export async function downscale(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('toBlob'))), 'image/jpeg', 0.85),
  );
}

/** A file's size in words. */
function sizeWords(/** @type {number} */ bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

/** The evidence section of a result form. @param {import('./form-parts.js').Form} form */
export function evidencePart(form) {
  /** @type {Attachment[]} */
  const files = [...((form.result && form.result.attachments) || [])];
  /** @type {Map<number, string>} digests computed here, by attachment id */
  const local = new Map();
  const removable = () => form.editable && !(form.result && form.result.submitted_at);
  const list = h('ul', { class: 'evidence-list', id: 'attachments' });
  const errors = /** @type {HTMLFormElement} */ (h('form', { class: 'evidence-errors', novalidate: true }));
  const progress = h('p', { class: 'hint', id: 'upload-status', role: 'status' });
  const draw = () =>
    fill(
      list,
      files.length
        ? files.map((file) =>
            h(
              'li',
              { class: 'evidence-item', dataset: { id: String(file.id), sha256: file.sha256 } },
              // Opened by the browser itself (same origin, the session's
              // cookie), under the server's sandboxing policy for files.
              h(
                'a',
                { href: `${resultPath(form.place)}/attachments/${file.id}`, target: '_blank', rel: 'noopener', class: 'attachment-name' },
                file.name,
              ),
              ' ',
              h('span', { class: 'muted' }, `${file.media_type}, ${sizeWords(file.size)}, ${localTime(file.uploaded_at)}`),
              h('br'),
              h('span', {}, tx('inspector.evidence.sha256')),
              ' ',
              h('code', { class: 'digest attachment-digest' }, file.sha256),
              local.has(file.id)
                ? h('span', { class: 'digest-check' }, ' ', tx(local.get(file.id) === file.sha256 ? 'inspector.evidence.same' : 'inspector.evidence.differs'))
                : null,
              removable()
                ? h(
                    'button',
                    { type: 'button', class: 'small-button secondary remove-attachment', onclick: () => remove(file) },
                    tx('inspector.evidence.remove'),
                    h('span', { class: 'visually-hidden' }, ' ', file.name),
                  )
                : null,
            ),
          )
        : h('li', { class: 'muted' }, tx('inspector.evidence.none')),
    );
  const remove = async (/** @type {Attachment} */ file) => {
    try {
      await send('DELETE', `${resultPath(form.place)}/attachments/${file.id}`);
      files.splice(files.indexOf(file), 1);
      draw();
    } catch (error) {
      showErrors(errors, errorsOf(error));
    }
  };
  const add = async (/** @type {HTMLInputElement} */ picker) => {
    const chosen = [...(picker.files || [])];
    picker.value = '';
    showErrors(errors, []);
    for (const file of chosen) {
      try {
        const prepared = await prepare(file, (words) => fill(progress, words));
        const attachment = await upload(form, prepared, (words) => fill(progress, words));
        if (attachment) {
          local.set(attachment.id, prepared.sha256);
          files.push(attachment);
          draw();
        } else {
          await queueFile(form.place, prepared);
          // Sent by the next round (the connection's return, a page load,
          // the half-minute retry); at once if the connection is back.
          if (navigator.onLine) sendWaiting();
        }
      } catch (error) {
        showErrors(errors, error instanceof Error && !('status' in error) ? [[null, error.message]] : errorsOf(/** @type {any} */ (error)));
      }
    }
    fill(progress);
  };
  // Files kept on this device until the connection returns.
  const waiting = h('ul', { class: 'evidence-list', id: 'queued-files' });
  const drawWaiting = async () => {
    const queued = await queuedFiles(form.place);
    fill(
      waiting,
      queued.map((file) =>
        h(
          'li',
          { class: 'attachment queued', dataset: { sha256: file.sha256 } },
          h('strong', {}, file.name),
          ' ',
          h('span', { class: 'muted' }, `${file.type}, ${sizeWords(file.blob.size)}`),
          ' — ',
          file.error ? h('span', { class: 'field-error' }, keptRefusal(file, { within: 'inspector.evidence.queuedRefused', name: 'error' })) : tx('inspector.evidence.queued'),
          h('br'),
          h('span', {}, tx('inspector.evidence.sha256')),
          ' ',
          h('code', { class: 'digest attachment-digest' }, file.sha256),
          h(
            'button',
            { type: 'button', class: 'small-button secondary remove-attachment', onclick: () => dropQueued(/** @type {number} */ (file.id)) },
            tx('inspector.evidence.remove'),
            h('span', { class: 'visually-hidden' }, ' ', file.name),
          ),
        ),
      ),
    );
    waitingBlock.hidden = !queued.length;
  };
  const waitingBlock = h('div', { hidden: true }, h('h3', {}, tx('inspector.evidence.queuedH')), waiting);
  const same = (/** @type {import('../../photo-queue.js').Place} */ p) =>
    p.task === form.place.task && p.target === form.place.target && p.item === form.place.item;
  const stopSent = onQueuedSent((place, attachment) => {
    if (!list.isConnected) return stopSent();
    if (!same(place)) return;
    files.push(attachment);
    draw();
  });
  const stopChange = onQueueChange(() => (list.isConnected ? drawWaiting() : stopChange()));
  drawWaiting();
  draw();
  const pickers = form.editable
    ? [
        h(
          'p',
          { class: 'evidence-pick' },
          h('label', { for: 'photo', class: 'file-label' }, tx('inspector.evidence.photo')),
          h('input', { type: 'file', id: 'photo', accept: 'image/*', capture: 'environment', onchange: (/** @type {Event} */ e) => add(/** @type {any} */ (e.target)) }),
        ),
        h(
          'p',
          { class: 'evidence-pick' },
          h('label', { for: 'evidence-file', class: 'file-label' }, tx('inspector.evidence.file')),
          h('input', { type: 'file', id: 'evidence-file', accept: TYPES.join(','), multiple: true, onchange: (/** @type {Event} */ e) => add(/** @type {any} */ (e.target)) }),
        ),
      ]
    : null;
  return h(
    'section',
    { class: 'evidence', 'aria-labelledby': 'evidence-h2' },
    h('h2', { id: 'evidence-h2' }, tx('inspector.evidence.h2')),
    form.editable ? h('p', { class: 'hint' }, tx('inspector.evidence.hint', { mib: MAX_BYTES / 1024 / 1024, px: MAX_SIDE })) : null,
    form.editable ? h('p', { class: 'notice notice-info', id: 'evidence-online' }, tx('inspector.evidence.online')) : null,
    errors,
    list,
    waitingBlock,
    pickers,
    progress,
  );
}

/**
 * A file made ready to send: a photo downscaled to JPEG, a PDF as it is;
 * its type and size checked; its SHA-256.
 * @param {File} file
 * @param {(words: string) => void} say
 * @returns {Promise<{name: string, type: string, blob: Blob, sha256: string}>}
 */
async function prepare(file, say) {
  if (!TYPES.includes(file.type) && !file.type.startsWith('image/')) {
    throw new Error(t('inspector.evidence.type', { name: file.name }));
  }
  say(t('inspector.evidence.preparing', { name: file.name }));
  const photo = file.type !== 'application/pdf';
  const blob = photo ? await downscale(file) : file;
  if (blob.size > MAX_BYTES) throw new Error(t('inspector.evidence.tooLarge', { name: file.name, mib: MAX_BYTES / 1024 / 1024 }));
  return {
    name: photo ? file.name.replace(/\.[A-Za-z0-9]+$/, '') + '.jpg' : file.name,
    type: photo ? 'image/jpeg' : 'application/pdf',
    blob,
    sha256: await sha256(blob),
  };
}

/**
 * Sends a prepared file, the result saved first (the server files evidence
 * under a result). Null when there is no connection: the caller keeps it.
 * @param {import('./form-parts.js').Form} form
 * @param {{name: string, type: string, blob: Blob}} file
 * @param {(words: string) => void} say
 * @returns {Promise<Attachment | null>}
 */
async function upload(form, file, say) {
  if (!navigator.onLine) return null;
  const me = user();
  const draft = loadDraft(form.place);
  if (!form.result || (draft && draft.pending)) {
    if (!draft) keepDraft(form.place, form.data);
    if (me && !(await sendDraft(draftKey(me.id, form.place)))) {
      const now = loadDraft(form.place);
      if (now && now.error) throw new Error(t('inspector.evidence.saveFirst'));
      return null;
    }
  }
  say(t('inspector.evidence.sending', { name: file.name }));
  try {
    return await send('POST', `${resultPath(form.place)}/attachments?name=${encodeURIComponent(file.name)}`, file.blob, {
      type: file.type,
    });
  } catch (error) {
    if (error && error.status === 0) return null;
    throw error;
  }
}
