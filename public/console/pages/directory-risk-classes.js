// @ts-check
// Risk classes from the enterprise credit system (从信用系统导入风险分类), on
// the targets' page: the supervisor chooses the system's CSV export, the
// page reads its header and class labels in the browser, offers the columns
// for the code and the class and a class (A to D) for each label found, and
// sends the file with that mapping. The server sets the classes of the
// department's own targets, all or nothing; a refused file lists its rows.

import { fill, h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { confirmation, errorsOf, field, select, showErrors } from '../forms.js';
import { upload } from '../session.js';
import { parseCsv, readStart } from './csv-preview.js';
import { dataTable } from './data-table.js';

/** Bytes of the file read for its labels: an export of a department's targets fits. */
const READ_BYTES = 8 * 1024 * 1024;
/** The most labels the server maps. */
const MAX_LABELS = 100;
const CLASSES = ['A', 'B', 'C', 'D'];

/**
 * The file as read in the browser: its header, its rows (as far as read),
 * whether it is UTF-8 and whether it was read whole.
 * @typedef {{header: string[], rows: string[][], utf8: boolean, whole: boolean}} Export
 */

/** Reads the start of `file` (all of it when small enough). */
async function readExport(/** @type {File} */ file) {
  const { text, utf8 } = await readStart(file, READ_BYTES);
  const whole = file.size <= READ_BYTES;
  const records = parseCsv(text, Infinity).filter(
    (record) => !(record.length === 1 && record[0] === ''),
  );
  // A record cut by the end of what was read is left out.
  if (!whole) records.pop();
  const [header = [], ...rows] = records;
  return /** @type {Export} */ ({ header, rows, utf8, whole });
}

/**
 * The column whose header is the first of `names` found, else `fallback`.
 * @param {string[]} header
 * @param {string[]} names
 * @param {number} fallback
 */
function guess(header, names, fallback) {
  const found = header.findIndex((name) => names.includes(name.trim()));
  return found >= 0 ? found : Math.min(fallback, header.length - 1);
}

/**
 * The panel.
 * @param {{onImported: () => void}} options `onImported` after classes are set
 */
export function riskClassPanel({ onImported }) {
  const picker = h('input', { type: 'file', id: 'risk-file', name: 'risk-file', accept: '.csv,text/csv' });
  const columns = h('div', { id: 'risk-columns' });
  const outcome = h('div', { id: 'risk-outcome', 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h('form', { id: 'risk-form', novalidate: true }, field({ label: tx('risk.file'), hint: tx('risk.file.hint'), control: picker }), columns)
  );
  /** @type {File | null} */
  let file = null;
  /** @type {Export | null} */
  let read = null;
  /** The labels offered, in the order of their selects. */
  /** @type {string[]} */
  let labels = [];

  picker.addEventListener('change', async () => {
    const files = /** @type {HTMLInputElement} */ (picker).files;
    outcome.replaceChildren();
    showErrors(form, []);
    if (!files || !files[0]) return;
    file = files[0];
    read = await readExport(file);
    showColumns();
  });

  /** The two column selects, and the labels of the class column. */
  function showColumns() {
    if (!read) return;
    if (read.header.length < 2) {
      fill(columns, h('p', { class: 'notice notice-warn', id: 'risk-no-header' }, tx('risk.no_header')));
      return;
    }
    const options = /** @type {Array<[string, string]>} */ (read.header.map((name, index) => [String(index), name]));
    const code = select('risk-code-column', options);
    const klass = select('risk-class-column', options);
    /** @type {HTMLSelectElement} */ (code).value = String(guess(read.header, ['统一社会信用代码', 'id'], 0));
    /** @type {HTMLSelectElement} */ (klass).value = String(
      guess(read.header, ['信用风险分类结果', '信用风险分类', '风险分类', 'risk_class'], read.header.length - 1),
    );
    const labelsBox = h('div', { id: 'risk-labels' });
    klass.addEventListener('change', () => showLabels(labelsBox));
    fill(columns,
      read.utf8 ? null : h('p', { class: 'notice notice-warn' }, tx('import.preview.not_utf8')),
      field({ label: tx('risk.code_column'), hint: tx('risk.code_column.hint'), control: code }),
      field({ label: tx('risk.class_column'), hint: tx('risk.class_column.hint'), control: klass }),
      labelsBox,
    );
    showLabels(labelsBox);
  }

  /** A select of the class to use beside each distinct label of the class column. */
  function showLabels(/** @type {HTMLElement} */ box) {
    if (!read) return;
    const column = Number(/** @type {HTMLSelectElement} */ (form.querySelector('#risk-class-column')).value);
    const found = new Set();
    for (const row of read.rows) {
      const label = (row[column] ?? '').trim();
      if (label) found.add(label);
      if (found.size > MAX_LABELS) break;
    }
    labels = [...found].sort();
    if (labels.length > MAX_LABELS) {
      labels = [];
      fill(box, h('p', { class: 'notice notice-warn', id: 'risk-too-many' }, tx('risk.too_many', { max: MAX_LABELS })));
      return;
    }
    /** @type {Array<[string, string | (() => string)]>} */
    const choices = [['', tx('risk.choose')], ...CLASSES.map((c) => /** @type {[string, string]} */ ([c, c]))];
    fill(box,
      h(
        'fieldset',
        { class: 'choices' },
        h('legend', {}, tx('risk.labels')),
        h('p', { class: 'hint' }, read.whole ? tx('risk.labels.hint') : tx('risk.labels.partial')),
        labels.length ? null : h('p', { class: 'muted' }, tx('risk.labels.none')),
        labels.map((label, index) => {
          const control = select(`risk-label-${index}`, choices);
          if (CLASSES.includes(label)) /** @type {HTMLSelectElement} */ (control).value = label;
          return field({ label: () => t('risk.label', { label }), control });
        }),
      ),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'primary', id: 'risk-send' }, tx('risk.send'))),
    );
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file || !read) return;
    const value = (/** @type {string} */ id) => /** @type {HTMLSelectElement} */ (form.querySelector(`#${id}`)).value;
    const code = read.header[Number(value('risk-code-column'))];
    const klass = read.header[Number(value('risk-class-column'))];
    /** @type {Array<[string | null, import('../forms.js').Message]>} */
    const errors = [];
    if (code === klass) errors.push(['risk-class-column', tx('risk.same_column')]);
    labels.forEach((label, index) => {
      if (!value(`risk-label-${index}`)) errors.push([`risk-label-${index}`, tx('risk.label.missing', { label })]);
    });
    showErrors(form, errors);
    if (errors.length) return;
    const query = new URLSearchParams({ code_column: code, class_column: klass });
    labels.forEach((label, index) => query.append('map', `${label}:${value(`risk-label-${index}`)}`));
    const sending = file;
    const send = /** @type {HTMLButtonElement} */ (form.querySelector('#risk-send'));
    send.disabled = true;
    fill(outcome, h('p', { id: 'risk-sending' }, tx('import.sending', { name: sending.name })));
    try {
      const summary = await upload(`/api/targets/risk-classes?${query}`, sending, () => {});
      const done = confirmation(
        tx('risk.done.h2'),
        h('p', { id: 'risk-counts' }, tx('risk.done.counts', summary || { rows: 0, changed: 0, unchanged: 0 })),
      );
      done.setAttribute('tabindex', '-1');
      fill(outcome, done);
      done.focus();
      onImported();
    } catch (error) {
      send.disabled = false;
      const fields = { code_column: 'risk-code-column', class_column: 'risk-class-column', map: 'risk-class-column' };
      showErrors(form, errorsOf(/** @type {any} */ (error), fields));
      fill(outcome, refusedRows(error));
    }
  });

  return h(
    'section',
    { class: 'import-panel', 'aria-labelledby': 'risk-h2' },
    h('h2', { id: 'risk-h2' }, tx('risk.h2')),
    h('p', {}, tx('risk.intro')),
    h('p', {}, tx('risk.all_or_nothing')),
    form,
    outcome,
  );
}

/** The rows the server refused, each with its line and reason; nothing when it named none. */
function refusedRows(/** @type {any} */ error) {
  /** @type {Array<{line: number | null, column: string | null, reason: string}>} */
  const lines = (error.body && Array.isArray(error.body.lines) && error.body.lines) || [];
  if (!lines.length) return null;
  return h(
    'div',
    { id: 'risk-refused' },
    h('p', {}, tx('import.refused.count', { count: lines.length })),
    dataTable({
      caption: 'risk.refused.caption',
      empty: 'import.refused.none',
      id: 'risk-refused-lines',
      rows: lines,
      columns: [
        { label: 'import.refused.line', header: true, num: true, cell: (row) => (row.line == null ? '' : String(row.line)) },
        { label: 'import.refused.column', cell: (row) => row.column || '' },
        { label: 'import.refused.reason', cell: (row) => row.reason },
      ],
    }),
  );
}
