// @ts-check
// The inspector directory, the item list and the declared recusals: each a
// table of what the supervisor's department keeps, and its import.

import { h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { get, user } from '../session.js';
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
 * Draws a directory page: the table (drawn again after an import), then the import.
 * @param {HTMLElement} main
 * @param {'inspectors' | 'items' | 'recusals'} kind
 * @param {() => Promise<HTMLElement>} table
 */
async function directoryPage(main, kind, table) {
  directoryHeading(main, kind);
  const holder = h('div', { id: `${kind}-list` }, await table());
  const refresh = async () => holder.replaceChildren(await table());
  main.append(holder, importPanel({ kind, onImported: refresh }));
}

/** The department's inspectors. */
export function inspectorsPage(/** @type {HTMLElement} */ main) {
  return directoryPage(main, 'inspectors', async () => {
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
export function itemsPage(/** @type {HTMLElement} */ main) {
  const department = user()?.department;
  return directoryPage(main, 'items', async () => {
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
      ],
    });
  });
}

/** The recusals declared for the department's inspectors. */
export function recusalsPage(/** @type {HTMLElement} */ main) {
  return directoryPage(main, 'recusals', async () => {
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
