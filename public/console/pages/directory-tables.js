// @ts-check
// The inspector directory, the item list and the declared recusals: each a
// table of what the supervisor's department keeps, and its import. An item
// in force can be retired from the list, with a reason.

import { fill, h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { itemHref } from '../../lib/items.js';
import { confirmation, errorsOf, field, showErrors } from '../forms.js';
import { get, send, user } from '../session.js';
import { dataTable } from './data-table.js';
import { importPanel } from './directory-import.js';
import { directoryHeading } from './directory-layout.js';

/**
 * @typedef {{id: string, name: string, department: string, unit: string, region: string,
 *   certificate_no: string, certificate_expires: string, items: string, active: boolean}} Inspector
 * @typedef {{code: string, name: string, legal_basis: string, department: string,
 *   target_category: string, sampling_ratio_bp: number | null, frequency: string, method: string,
 *   retired_on: string | null, frequency_cap: number | null}} Item
 * @typedef {{inspector_id: string, target_id: string, reason?: string | null}} Recusal
 */

/**
 * Draws a directory page: the table (drawn again after an import), then
 * `between` (if any), then the import.
 * @param {HTMLElement} main
 * @param {'inspectors' | 'items' | 'recusals'} kind
 * @param {() => Promise<HTMLElement>} table
 * @param {HTMLElement} [between]
 * @returns {Promise<() => Promise<void>>} what draws the table again
 */
async function directoryPage(main, kind, table, between) {
  directoryHeading(main, kind);
  const holder = h('div', { id: `${kind}-list` }, await table());
  const refresh = async () => {
    holder.replaceChildren(await table());
  };
  main.append(holder, between || '', importPanel({ kind, onImported: refresh }));
  return refresh;
}

/** The department's inspectors. */
export async function inspectorsPage(/** @type {HTMLElement} */ main) {
  await directoryPage(main, 'inspectors', async () => {
    /** @type {Inspector[]} */
    const rows = await get('/api/inspectors');
    return dataTable({
      caption: () => t('directories.inspectors.caption', { count: rows.length }),
      empty: 'directories.inspectors.empty',
      id: 'inspectors',
      rows,
      columns: [
        { label: 'directories.inspectors.col.id', cell: (row) => h('code', {}, row.id) },
        { label: 'directories.inspectors.col.name', header: true, cell: (row) => row.name },
        { label: 'directories.inspectors.col.unit', cell: (row) => row.unit },
        { label: 'directories.inspectors.col.region', cell: (row) => row.region },
        { label: 'directories.inspectors.col.items', cell: (row) => row.items.split(';').join('、') },
        { label: 'directories.inspectors.col.certificate', cell: (row) => row.certificate_no },
        { label: 'directories.inspectors.col.expires', cell: (row) => row.certificate_expires },
        {
          label: 'directories.inspectors.col.active',
          cell: (row) => tx(row.active ? 'directories.inspectors.active' : 'directories.inspectors.inactive'),
        },
      ],
    });
  });
}

/**
 * The department's inspection items. The item list is readable by every
 * department (a joint task names the items of each), but a supervisor
 * keeps, imports and answers for their own department's: those are shown.
 */
export async function itemsPage(/** @type {HTMLElement} */ main) {
  const department = user()?.department;
  const retiring = h('div', { id: 'retire-panel' });
  /** Draws the table again after a retirement. */
  let refresh = async () => {};
  refresh = await directoryPage(main, 'items', async () => {
    /** @type {Item[]} */
    const all = await get('/api/items');
    const rows = all.filter((item) => item.department === department);
    return dataTable({
      caption: () => t('directories.items.caption', { count: rows.length, department }),
      empty: 'directories.items.empty',
      id: 'items',
      rows,
      columns: [
        { label: 'directories.items.col.code', cell: (row) => h('code', {}, row.code) },
        {
          label: 'directories.items.col.name',
          header: true,
          cell: (row) => [row.name, row.retired_on ? [' ', h('span', { class: 'muted' }, tx('directories.items.retired', { day: row.retired_on }))] : null],
        },
        { label: 'directories.items.col.legal_basis', cell: (row) => row.legal_basis },
        { label: 'directories.items.col.category', cell: (row) => row.target_category },
        { label: 'directories.items.col.ratio', cell: (row) => ratioText(row.sampling_ratio_bp) },
        { label: 'directories.items.col.frequency', cell: (row) => row.frequency },
        { label: 'directories.items.col.method', cell: (row) => row.method },
        { label: 'directories.items.col.frequency_cap', cell: (row) => (row.frequency_cap == null ? '' : String(row.frequency_cap)) },
        {
          label: 'directories.items.col.actions',
          cell: (row) =>
            row.retired_on
              ? ''
              : h(
                  'button',
                  {
                    type: 'button',
                    id: `retire-${row.code}`,
                    'aria-label': () => t('directories.items.retire.button.label', { code: row.code, name: row.name }),
                    onclick: () => retireForm(retiring, row, () => refresh()),
                  },
                  tx('directories.items.retire.button'),
                ),
        },
      ],
    });
  }, retiring);
}

/**
 * The form retiring `item`, in `panel`: what retiring means, the reason,
 * and the button; then the confirmation, or the refusal beside the field.
 * @param {HTMLElement} panel
 * @param {Item} item
 * @param {() => Promise<void>} onRetired
 */
function retireForm(panel, item, onRetired) {
  const reason = h('textarea', { id: 'retire-reason', name: 'retire-reason', rows: '3', lang: 'zh-CN' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, id: 'retire-form' },
      field({ label: tx('directories.items.retire.reason'), hint: tx('directories.items.retire.reason.hint'), control: reason, wide: true }),
      h(
        'div',
        { class: 'form-buttons' },
        h('button', { type: 'submit', class: 'danger', id: 'retire-confirm' }, tx('directories.items.retire.confirm', { code: item.code })),
        ' ',
        h('button', { type: 'button', id: 'retire-cancel', onclick: cancel }, tx('directories.items.retire.cancel')),
      ),
    )
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = /** @type {HTMLTextAreaElement} */ (reason).value;
    try {
      await send('POST', `/api/items/${encodeURIComponent(item.code)}/retire`, { reason: text });
      const done = confirmation(
        tx('directories.items.retired.h2', { code: item.code }),
        h('p', { id: 'retire-done' }, tx('directories.items.retired.text', { name: item.name })),
        h('p', {}, h('a', { href: `/${itemHref(item.code)}`, id: 'retire-public' }, tx('directories.items.retired.public'))),
      );
      done.setAttribute('tabindex', '-1');
      fill(panel, done);
      await onRetired();
      done.focus();
    } catch (error) {
      showErrors(form, errorsOf(/** @type {any} */ (error), { reason: 'retire-reason' }));
    }
  });

  function cancel() {
    panel.replaceChildren();
    const button = /** @type {HTMLElement | null} */ (document.getElementById(`retire-${item.code}`));
    if (button) button.focus();
  }

  fill(panel,
    h(
      'section',
      { class: 'retire-panel', 'aria-labelledby': 'retire-h2' },
      h('h2', { id: 'retire-h2', tabindex: '-1' }, tx('directories.items.retire.h2', { code: item.code, name: item.name })),
      h('p', { class: 'notice notice-warn', id: 'retire-meaning' }, tx('directories.items.retire.meaning')),
      form,
    ),
  );
  /** @type {HTMLElement} */ (panel.querySelector('#retire-h2')).focus();
}

/** The recusals declared for the department's inspectors. */
export async function recusalsPage(/** @type {HTMLElement} */ main) {
  await directoryPage(main, 'recusals', async () => {
    /** @type {Recusal[]} */
    const rows = await get('/api/recusals');
    return dataTable({
      caption: () => t('directories.recusals.caption', { count: rows.length }),
      empty: 'directories.recusals.empty',
      id: 'recusals',
      rows,
      columns: [
        { label: 'directories.recusals.col.inspector', header: true, cell: (row) => h('code', {}, row.inspector_id) },
        { label: 'directories.recusals.col.target', cell: (row) => h('code', {}, row.target_id) },
        { label: 'directories.recusals.col.reason', cell: (row) => row.reason || '' },
      ],
    });
  });
}

/** A ratio held in basis points, as a percentage (500 → 5%). */
function ratioText(/** @type {number | null} */ basisPoints) {
  if (basisPoints === null || basisPoints === undefined) return '';
  return `${basisPoints / 100}%`;
}
