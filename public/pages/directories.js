// @ts-check
// The directories page: the sizes of the target directory (by keeping
// department, region and risk class) and of the inspector directory (by
// department), as tables; and the inspector list as far as the site
// publishes it, filtered by department, a page at a time ("show more"
// appends the next page and moves the focus to its first row).

import { api } from '../lib/api.js';
import { departmentLabel } from '../lib/departments.js';
import { $, fill, h, tx } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { errorBox, setTitle } from '../lib/page.js';
import { stackTable } from '../lib/stack-table.js';

/** @typedef {{value: string, count: number}} DirectoryCount */
/**
 * @typedef {{targets_total: number, targets_by_department: DirectoryCount[], targets_by_region: DirectoryCount[],
 *   targets_by_risk_class: DirectoryCount[], inspectors_by_department: DirectoryCount[]}} DirectorySizes
 */
/**
 * @typedef {{name?: string, department: string, unit?: string, certificate_no?: string, items?: string[], region?: string}} PublicInspector
 */

/** Inspectors asked for at a time. */
const PAGE = 20;

/**
 * A table of counts with its caption and column heads.
 * @param {string} id
 * @param {string} captionKey
 * @param {string} headKey
 * @param {DirectoryCount[]} rows
 * @param {(value: string) => import('../lib/dom.js').Child} label
 */
function countTable(id, captionKey, headKey, rows, label) {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': `${id}-caption` },
    h(
      'table',
      { id },
      h('caption', { id: `${id}-caption` }, tx(captionKey)),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tx(headKey)), h('th', { scope: 'col', class: 'num' }, tx('dirs.col.count')))),
      h(
        'tbody',
        {},
        rows.length
          ? rows.map((row) => h('tr', {}, h('th', { scope: 'row' }, label(row.value)), h('td', { class: 'num' }, String(row.count))))
          : h('tr', {}, h('td', { colspan: '2' }, tx('dirs.none'))),
      ),
    ),
  );
}

/** @param {DirectorySizes} sizes */
function sizeTables(sizes) {
  const department = (/** @type {string} */ code) => () => departmentLabel(code);
  return [
    h('p', { id: 'targets-total' }, tx('dirs.targets.total', { n: sizes.targets_total })),
    countTable('sizes-targets-department', 'dirs.targets.by.department', 'dirs.col.department', sizes.targets_by_department, department),
    countTable('sizes-targets-region', 'dirs.targets.by.region', 'dirs.col.region', sizes.targets_by_region, (v) => v),
    countTable('sizes-targets-class', 'dirs.targets.by.class', 'dirs.col.class', sizes.targets_by_risk_class, (v) => tx('risk.class', { c: v })),
    countTable('sizes-inspectors-department', 'dirs.inspectors.by.department', 'dirs.col.department', sizes.inspectors_by_department, department),
  ];
}

/** The columns the answer holds: only the fields the site publishes. @param {PublicInspector[]} rows */
function columnsOf(rows) {
  const all = ['name', 'department', 'unit', 'certificate_no', 'items', 'region'];
  return all.filter((key) => key === 'department' || rows.some((row) => Object.prototype.hasOwnProperty.call(row, key)));
}

/** @param {PublicInspector} row @param {string} key */
function cell(row, key) {
  if (key === 'department') return () => departmentLabel(row.department);
  if (key === 'items') return (row.items || []).join(', ') || '—';
  const value = /** @type {Record<string, unknown>} */ (row)[key];
  return typeof value === 'string' && value ? h('span', { lang: key === 'name' || key === 'unit' ? 'zh-CN' : null }, value) : '—';
}

export async function pageDirectories() {
  setTitle(() => t('title.directories'));
  const sizesBox = $('#sizes');
  const listBox = $('#inspectors');
  const select = /** @type {HTMLSelectElement} */ ($('#f-department'));
  const more = /** @type {HTMLButtonElement} */ ($('#inspectors-more'));
  /** @type {string[]} */
  let departments = [];
  try {
    /** @type {DirectorySizes} */
    const sizes = await api('/api/public/directories');
    fill(sizesBox, sizeTables(sizes));
    departments = sizes.inspectors_by_department.map((row) => row.value);
  } catch (error) {
    fill(sizesBox, error && /** @type {any} */ (error).status === 404 ? h('p', {}, tx('dirs.sizes.unpublished')) : errorBox(error));
  }
  sizesBox.removeAttribute('aria-busy');
  for (const code of departments) select.append(h('option', { value: code }, () => departmentLabel(code)));
  const asked = new URLSearchParams(location.search).get('department') || '';
  select.value = departments.includes(asked) ? asked : '';

  /** @type {PublicInspector[]} */
  let shown = [];
  /** @type {string | null} */
  let next = null;
  let generation = 0;

  /** Loads a page: the first of the department chosen, or the next one. @param {boolean} first */
  async function load(first) {
    const mine = ++generation;
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (select.value) query.set('department', select.value);
    if (!first && next) query.set('after', next);
    listBox.setAttribute('aria-busy', 'true');
    let page;
    try {
      page = await api(`/api/public/inspectors?${query}`);
    } catch (error) {
      listBox.removeAttribute('aria-busy');
      fill(listBox, errorBox(error));
      return;
    }
    if (mine !== generation) return;
    const before = first ? 0 : shown.length;
    shown = first ? page.inspectors : shown.concat(page.inspectors);
    next = page.next || null;
    render();
    listBox.removeAttribute('aria-busy');
    listBox.dataset.state = 'ready';
    if (!first && before < shown.length) {
      const row = /** @type {HTMLElement | null} */ (listBox.querySelectorAll('tbody tr')[before] || null);
      if (row) row.focus();
    }
  }

  function render() {
    more.hidden = !next;
    fill($('#inspectors-count'), tx(next ? 'dirs.count.more' : 'dirs.count', { n: shown.length }));
    if (!shown.length) {
      fill(listBox, h('p', {}, tx('dirs.inspectors.none')));
      return;
    }
    fill(
      listBox,
      stackTable({
        id: 'inspectors-table',
        caption: 'dirs.inspectors.caption',
        captionHidden: true,
        columns: columnsOf(shown).map((key, index) => ({
          label: `dirs.col.${key}`,
          header: index === 0,
          cell: (/** @type {PublicInspector} */ row) => cell(row, key),
        })),
        rows: shown,
        // A row the focus moves to when "show more" brings it.
        rowAttrs: () => ({ tabindex: '-1' }),
      }),
    );
  }

  select.addEventListener('change', () => {
    const address = new URL(location.href);
    if (select.value) address.searchParams.set('department', select.value);
    else address.searchParams.delete('department');
    history.replaceState(null, '', address);
    load(true);
  });
  $('#inspectors-filter').addEventListener('submit', (/** @type {Event} */ event) => {
    event.preventDefault();
    load(true);
  });
  more.addEventListener('click', () => load(false));
  await load(true);
}
