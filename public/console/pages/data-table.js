// @ts-check
// Tables of the directory and admin pages: a caption, a header row, and
// cells labelled with their column, so that on a phone each row becomes a
// card of labelled lines (table.stack) instead of a table wider than the
// screen. The table scrolls inside its own box on a desktop that is too
// narrow, never the page. Each cell holds its column's name (.cell-label,
// shown on a phone only) and its value (.cell-value) side by side, both in
// the flow, so that a label of two or three lines makes its line taller
// instead of running into the next one.

import { h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';

/**
 * @template T
 * @typedef {{label: string | (() => string), cell: (row: T) => import('../../lib/dom.js').Child, num?: boolean, header?: boolean}} Column
 * `label` is a message key (or a function giving the text); `header` makes
 * the cell the row's header (<th scope=row>).
 */

/**
 * A table of `rows`, or a line saying there is none.
 * @template T
 * @param {{caption: string | (() => string), columns: Array<Column<T>>, rows: T[], empty: string, id?: string}} spec
 *   `caption` a message key or a function; `empty` a message key.
 */
export function dataTable({ caption, columns, rows, empty, id }) {
  const label = typeof caption === 'function' ? caption : tx(caption);
  if (!rows.length) return h('p', { class: 'muted', id }, tx(empty));
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': label, tabindex: '0' },
    h(
      'table',
      { class: 'stack', id },
      h('caption', {}, label),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column) => h('th', { scope: 'col', class: column.num ? 'num' : null }, labelOf(column))),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            columns.map((column) =>
              h(
                column.header ? 'th' : 'td',
                { scope: column.header ? 'row' : null, class: column.num ? 'labelled num' : 'labelled' },
                h('span', { class: 'cell-label' }, labelOf(column)),
                h('div', { class: 'cell-value' }, column.cell(row)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** A column's heading as a text that follows the language. */
function labelOf(/** @type {Column<any>} */ column) {
  const label = column.label;
  return typeof label === 'function' ? label : () => t(label);
}

/**
 * A row of links between the pages of one area (directories, admin), the
 * current one marked for screen readers and by its look.
 * @param {string} label message key naming the group
 * @param {Array<[string, string]>} tabs [href, message key] pairs
 * @param {string} current the href of the page shown
 */
export function subNav(label, tabs, current) {
  return h(
    'nav',
    { class: 'sub-nav', 'aria-label': tx(label) },
    h(
      'ul',
      {},
      tabs.map(([href, key]) =>
        h('li', {}, h('a', { href, 'aria-current': href === current ? 'page' : null }, tx(key))),
      ),
    ),
  );
}

/** A date-time from the API (RFC 3339) as the reader's local time, to the minute. */
export function localTime(/** @type {string | null | undefined} */ value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A status line for the result of an action, read out by screen readers. */
export function statusLine() {
  return h('div', { class: 'action-status', role: 'status', 'aria-live': 'polite' });
}
