// @ts-check
// Importing a directory file: a CSV dropped on the panel or chosen with the
// file picker, a preview of its first rows (read in the browser) before
// anything is sent, a progress bar while it uploads, and then either the
// confirmation with the number of rows written, or every refused line with
// its column and the reason. An import is all or nothing: a refused file
// changes nothing, so the supervisor mends the lines and sends it again.

import { fill, h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { confirmation, refusal as serverRefusal } from '../forms.js';
import { upload } from '../session.js';
import { previewCsv } from './csv-preview.js';
import { dataTable } from './data-table.js';

/** @typedef {'targets' | 'inspectors' | 'items' | 'recusals' | 'calendar'} DirectoryKind */

/** Rows of the file shown before it is sent. */
const PREVIEW_ROWS = 5;

/**
 * The import panel of one directory.
 * @param {{kind: DirectoryKind, onImported: () => void}} options `onImported` after a file is written
 */
export function importPanel({ kind, onImported }) {
  const picker = h('input', { type: 'file', id: `import-file`, accept: '.csv,text/csv' });
  const chosen = h('div', { id: 'import-chosen' });
  const outcome = h('div', { id: 'import-outcome', 'aria-live': 'polite' });
  const zone = h(
    'div',
    { class: 'drop-zone', id: 'import-drop' },
    h('p', { class: 'drop-zone-text' }, tx('import.drop')),
    h('label', { for: 'import-file', class: 'drop-zone-label' }, tx('import.choose')),
    picker,
  );
  /** @type {File | null} */
  let file = null;

  picker.addEventListener('change', () => {
    const files = /** @type {HTMLInputElement} */ (picker).files;
    if (files && files[0]) choose(files[0]);
  });
  zone.addEventListener('dragover', (/** @type {DragEvent} */ event) => {
    event.preventDefault();
    zone.classList.add('drop-zone-over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('drop-zone-over'));
  zone.addEventListener('drop', (/** @type {DragEvent} */ event) => {
    event.preventDefault();
    zone.classList.remove('drop-zone-over');
    const dropped = event.dataTransfer && event.dataTransfer.files[0];
    if (dropped) choose(dropped);
  });

  /** Shows the chosen file's first rows and the button that sends it. */
  async function choose(/** @type {File} */ picked) {
    file = picked;
    outcome.replaceChildren();
    const preview = await previewCsv(picked, PREVIEW_ROWS);
    const send = h('button', { type: 'button', class: 'primary', id: 'import-send', onclick: start }, tx('import.send'));
    fill(chosen,
      h('h3', { id: 'import-preview-title', tabindex: '-1' }, tx('import.preview.h3', { name: picked.name })),
      h('p', {}, tx('import.preview.size', { size: sizeText(picked.size) })),
      preview.utf8 ? null : h('p', { class: 'notice notice-warn' }, tx('import.preview.not_utf8')),
      dataTable({
        caption: () => t('import.preview.caption', { count: preview.rows.length }),
        empty: 'import.preview.empty',
        id: 'import-preview',
        rows: preview.rows,
        columns: preview.header.map((name, index) => ({
          label: () => name,
          cell: (/** @type {string[]} */ row) => row[index] ?? '',
        })),
      }),
      preview.more ? h('p', { class: 'hint' }, tx('import.preview.more')) : null,
      h('p', {}, tx('import.preview.whole')),
      h(
        'div',
        { class: 'form-buttons' },
        send,
        ' ',
        h('button', { type: 'button', onclick: reset }, tx('import.other')),
      ),
    );
    /** @type {HTMLElement} */ (chosen.querySelector('#import-preview-title')).focus();
  }

  function reset() {
    file = null;
    /** @type {HTMLInputElement} */ (picker).value = '';
    chosen.replaceChildren();
    picker.focus();
  }

  /** Sends the file, with a progress bar; then the outcome. */
  async function start() {
    if (!file) return;
    const sending = file;
    const bar = h('progress', { id: 'import-progress', max: '100', value: '0', 'aria-labelledby': 'import-progress-label' });
    const percent = h('span', {}, '0 %');
    chosen.querySelectorAll('button').forEach((button) => (/** @type {HTMLButtonElement} */ (button).disabled = true));
    fill(outcome,
      h('p', { id: 'import-progress-label' }, tx('import.sending', { name: sending.name }), ' ', percent),
      bar,
    );
    try {
      const summary = await upload(`/api/${kind}/import`, sending, (sent, total) => {
        const value = total ? Math.round((sent / total) * 100) : 0;
        bar.setAttribute('value', String(value));
        percent.textContent = `${value} %`;
      });
      chosen.replaceChildren();
      /** @type {HTMLInputElement} */ (picker).value = '';
      file = null;
      const done = confirmation(
        tx('import.done.h2'),
        h('p', { id: 'import-rows' }, tx(`import.done.rows`, { rows: summary ? summary.rows : 0, name: sending.name })),
        h('p', {}, tx(`import.done.next.${kind}`)),
      );
      done.setAttribute('tabindex', '-1');
      fill(outcome, done);
      done.focus();
      onImported();
    } catch (error) {
      chosen.querySelectorAll('button').forEach((button) => (/** @type {HTMLButtonElement} */ (button).disabled = false));
      fill(outcome, refusal(error, sending.name));
      /** @type {HTMLElement} */ (outcome.querySelector('.error-summary')).focus();
    }
  }

  return h(
    'section',
    { class: 'import-panel', 'aria-labelledby': 'import-h2' },
    h('h2', { id: 'import-h2' }, tx(`import.h2.${kind}`)),
    h('p', {}, tx(`import.rules.${kind}`)),
    h('p', {}, tx('import.all_or_nothing')),
    h(
      'p',
      {},
      h('a', { href: `/api/templates/${kind}.csv`, download: `${kind}.csv`, id: 'import-template' }, tx('import.template')),
      ' ',
      h('span', { class: 'hint' }, tx('import.template.hint')),
    ),
    zone,
    chosen,
    outcome,
  );
}

/**
 * Why the file was refused: every refused line (line, column, reason), or
 * the server's message when it names none.
 * @param {any} error an ApiError
 * @param {string} name the file's name
 */
function refusal(error, name) {
  /** @type {Array<{line: number | null, column: string | null, reason: string}>} */
  const lines = (error.body && Array.isArray(error.body.lines) && error.body.lines) || [];
  const title =
    error.status === 403
      ? tx('import.refused.forbidden', { name })
      : error.status === 413
        ? tx('import.refused.too_large', { name })
        : tx('import.refused.h2', { name });
  return h(
    'div',
    { class: 'error-summary', role: 'alert', tabindex: '-1', id: 'import-refused' },
    h('h2', { class: 'error-summary-title' }, title),
    // The message repeats the first refused line; the table has them all.
    lines.length ? null : h('p', {}, serverRefusal(error)),
    lines.length
      ? [
          h('p', {}, tx('import.refused.count', { count: lines.length })),
          dataTable({
            caption: 'import.refused.caption',
            empty: 'import.refused.none',
            id: 'refused-lines',
            rows: lines,
            columns: [
              { label: 'import.refused.line', header: true, num: true, cell: (row) => (row.line == null ? '' : String(row.line)) },
              { label: 'import.refused.column', cell: (row) => row.column || '' },
              { label: 'import.refused.reason', cell: (row) => row.reason },
            ],
          }),
        ]
      : null,
    h('p', {}, tx('import.refused.nothing')),
  );
}

/** A file size in words a person reads (KB, MB). */
function sizeText(/** @type {number} */ bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
