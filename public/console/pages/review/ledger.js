// @ts-check
// The ledger (台账, #/ledger?task=&unit=&inspector=&overdue=1): every open
// line of the department (a drawn target and item whose result is not yet
// published) against its 20-working-day deadline, the number still open
// said first, so a bureau can drive it to zero; filters, sums by task, unit
// and inspector, a page of lines at a time, and the same lines as CSV.
// Overdue lines are red and say so in words.

import { h, tx } from '../../../lib/dom.js';
import { getLang, t } from '../../../lib/i18n.js';
import { field, select } from '../../forms.js';
import { go } from '../../router.js';
import { get } from '../../session.js';
import { dataTable } from '../data-table.js';
import { deadlineWords, resultState } from './data.js';

/** Lines per page. */
const PAGE = 50;
const FILTERS = ['task', 'unit', 'inspector', 'overdue'];

/**
 * @typedef {{key: string, name: string | null, open: number, not_entered: number, due_soon: number, overdue: number}} Sum
 * @typedef {{task: number, task_name: string, task_state: string, target: string, target_name: string | null,
 *   unit: string | null, item: string, item_name: string | null, inspectors: string[], state: string,
 *   result: number | null, inspection_date: string | null, deadline: import('./data.js').Deadline | null}} Line
 * @typedef {{today: string, total: {open: number, not_entered: number, due_soon: number, overdue: number},
 *   by_task: Sum[], by_unit: Sum[], by_inspector: Sum[], lines: Line[], next: string | null}} Ledger
 */

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} _params
 * @param {URLSearchParams} query
 */
export async function ledgerPage(main, _params, query) {
  const filters = new URLSearchParams();
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value && (name !== 'overdue' || value === 'true')) filters.set(name, value);
  }
  const page = new URLSearchParams(filters);
  page.set('limit', String(PAGE));
  const after = query.get('after');
  if (after) page.set('after', after);
  // The unfiltered sums offer the filters' values.
  /** @type {[Ledger, Ledger]} */
  const [ledger, all] = await Promise.all([
    get(`/api/ledger?${page}`),
    filters.toString() ? get('/api/ledger?limit=1') : null,
  ]).then(([one, other]) => [one, other || one]);
  const open = ledger.total.open;
  main.append(
    h('h1', {}, tx('ledger.h1')),
    h('p', { class: 'lead' }, tx('ledger.intro')),
    h(
      'div',
      { class: open ? 'ledger-open notice notice-warn' : 'ledger-open notice notice-info', id: 'ledger-open', role: 'status' },
      h('p', { class: 'big-number' }, open ? tx('ledger.open', { count: open }) : tx('ledger.zero')),
      h('p', {}, tx('ledger.totals', { overdue: ledger.total.overdue, soon: ledger.total.due_soon, not_entered: ledger.total.not_entered })),
    ),
    filterForm(query, all),
    h('p', {}, h('a', { href: () => csvLink(filters), id: 'ledger-csv', download: '' }, tx('ledger.csv'))),
    linesTable(ledger.lines),
    pager(query, ledger.next),
    sums('ledger.sums.task', 'ledger-by-task', ledger.by_task, 'task'),
    sums('ledger.sums.unit', 'ledger-by-unit', ledger.by_unit, 'unit'),
    sums('ledger.sums.inspector', 'ledger-by-inspector', ledger.by_inspector, 'inspector'),
  );
}

/** The CSV of the same lines, with headers in the page's language. */
function csvLink(/** @type {URLSearchParams} */ filters) {
  const query = new URLSearchParams(filters);
  query.set('lang', getLang() === 'en' ? 'en' : 'zh');
  return `/api/ledger.csv?${query}`;
}

/**
 * The filters, their values offered from the unfiltered sums.
 * @param {URLSearchParams} query
 * @param {Ledger} all
 */
function filterForm(query, all) {
  /** @param {string} id @param {Sum[]} sums @param {string | null} chosen @param {(sum: Sum) => string} label */
  const choose = (id, sums, chosen, label) => {
    /** @type {Array<[string, string | (() => string)]>} */
    const options = [['', () => t('ledger.filter.any')]];
    for (const sum of sums) options.push([sum.key, `${label(sum)} (${sum.open})`]);
    if (chosen && !sums.some((sum) => sum.key === chosen)) options.push([chosen, chosen]);
    const control = select(id, options);
    /** @type {HTMLSelectElement} */ (control).value = chosen || '';
    return control;
  };
  const task = choose('ledger-task', all.by_task, query.get('task'), (s) => `${s.key} · ${s.name || ''}`);
  const unit = choose('ledger-unit', all.by_unit.filter((s) => s.key), query.get('unit'), (s) => s.key);
  const inspector = choose('ledger-inspector', all.by_inspector, query.get('inspector'), (s) => `${s.name || s.key} (${s.key})`);
  const overdue = h('input', { type: 'checkbox', id: 'ledger-overdue', name: 'ledger-overdue', checked: query.get('overdue') === 'true' });
  return h(
    'form',
    { class: 'search-form', role: 'search', 'aria-label': tx('ledger.filters'), novalidate: true, onsubmit: submit },
    h(
      'div',
      { class: 'filter-row' },
      field({ label: tx('ledger.filter.task'), control: task }),
      field({ label: tx('ledger.filter.unit'), control: unit }),
      field({ label: tx('ledger.filter.inspector'), control: inspector }),
    ),
    h('div', { class: 'checkbox-field' }, overdue, h('label', { for: 'ledger-overdue' }, tx('ledger.filter.overdue'))),
    h(
      'div',
      { class: 'form-buttons' },
      h('button', { type: 'submit', id: 'ledger-apply' }, tx('ledger.filter.apply')),
      ' ',
      h('a', { href: '#/ledger', class: 'clear-link' }, tx('ledger.filter.clear')),
    ),
  );

  /** @param {SubmitEvent} event */
  function submit(event) {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, control] of /** @type {Array<[string, HTMLSelectElement]>} */ ([['task', task], ['unit', unit], ['inspector', inspector]])) {
      if (control.value) next.set(name, control.value);
    }
    if (/** @type {HTMLInputElement} */ (overdue).checked) next.set('overdue', 'true');
    go(`#/ledger${next.toString() ? '?' + next : ''}`);
  }
}

/** The page's lines; an overdue one red and said so. */
function linesTable(/** @type {Line[]} */ lines) {
  return dataTable({
    caption: 'ledger.lines.caption',
    empty: 'ledger.lines.none',
    id: 'ledger-lines',
    rows: lines,
    columns: [
      {
        label: 'ledger.lines.target',
        header: true,
        cell: (l) => (l.result ? h('a', { href: `#/review/${l.result}` }, l.target_name || l.target) : l.target_name || l.target),
      },
      { label: 'ledger.lines.task', cell: (l) => `${l.task} · ${l.task_name}` },
      { label: 'ledger.lines.item', cell: (l) => l.item_name || l.item },
      { label: 'ledger.lines.inspectors', cell: (l) => l.inspectors.join(getLang() === 'en' ? ', ' : '、') },
      { label: 'ledger.lines.state', cell: (l) => resultState(l.state) },
      { label: 'ledger.lines.date', cell: (l) => l.inspection_date || '—' },
      { label: 'ledger.lines.deadline', cell: (l) => deadlineWords(l.deadline) },
      {
        label: 'ledger.lines.status',
        cell: (l) => {
          const overdue = !!(l.deadline && l.deadline.overdue);
          const soon = !overdue && !!(l.deadline && l.deadline.working_days_left <= 5);
          const key = overdue ? 'ledger.lines.overdue' : soon ? 'ledger.lines.soon' : 'ledger.lines.open';
          return h('span', { class: overdue ? 'overdue line-status' : 'line-status', dataset: { status: overdue ? 'overdue' : soon ? 'soon' : 'open' } }, tx(key));
        },
      },
    ],
  });
}

/**
 * Links to the first and the next page.
 * @param {URLSearchParams} query
 * @param {string | null} next
 */
function pager(query, next) {
  const first = new URLSearchParams(query);
  first.delete('after');
  const more = new URLSearchParams(query);
  if (next) more.set('after', next);
  return h(
    'nav',
    { class: 'pager', 'aria-label': tx('ledger.pages') },
    query.get('after') ? h('a', { href: `#/ledger?${first}`, id: 'ledger-first' }, tx('ledger.first')) : null,
    ' ',
    next ? h('a', { href: `#/ledger?${more}`, id: 'ledger-next', rel: 'next' }, tx('ledger.next')) : null,
  );
}

/**
 * A table of sums; with `filter`, each key a link to the ledger filtered by it.
 * @param {string} caption
 * @param {string} id
 * @param {Sum[]} rows
 * @param {string | null} filter
 */
function sums(caption, id, rows, filter) {
  /** @param {Sum} s */
  const name = (s) => (caption === 'ledger.sums.unit' ? s.key || t('ledger.sums.noUnit') : `${s.name || s.key} (${s.key})`);
  return h(
    'section',
    { 'aria-labelledby': `${id}-h2` },
    h('h2', { id: `${id}-h2` }, tx(caption)),
    dataTable({
      caption,
      empty: 'ledger.sums.none',
      id,
      rows,
      columns: [
        {
          label: 'ledger.sums.key',
          header: true,
          cell: (s) => (filter && s.key ? h('a', { href: `#/ledger?${filter}=${encodeURIComponent(s.key)}` }, () => name(s)) : () => name(s)),
        },
        { label: 'ledger.sums.open', num: true, cell: (s) => String(s.open) },
        { label: 'ledger.sums.not_entered', num: true, cell: (s) => String(s.not_entered) },
        { label: 'ledger.sums.due_soon', num: true, cell: (s) => String(s.due_soon) },
        { label: 'ledger.sums.overdue', num: true, cell: (s) => h('span', { class: s.overdue ? 'overdue' : null }, String(s.overdue)) },
      ],
    }),
  );
}
