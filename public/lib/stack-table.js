// @ts-check
// Tables of the public pages that become stacked cards on a phone: each
// cell carries its column's name in `data-label`, which style.css shows
// before the cell on a narrow screen (table.stack), so that a row reads as
// a card of labelled lines instead of a table wider than the screen. A
// table too wide for a larger screen scrolls inside its own box, which the
// keyboard reaches and the caption names, never the page.

import { h, tx } from './dom.js';

/**
 * @template T
 * @typedef {object} StackColumn
 * @property {string} label message key of the column's heading, also each cell's label on a phone
 * @property {(row: T) => import('./dom.js').Child} cell the cell of a row
 * @property {boolean} [header] the cell is its row's header (<th scope=row>)
 * @property {boolean} [num] the cells are numbers (class `num`); the heading is left as it is
 */

/**
 * @template T
 * @typedef {object} StackTableSpec
 * @property {string} id the table's id; its caption's is `${id}-caption`, which names the scrolling box
 * @property {string | (() => string)} caption a message key, or a function giving the text
 * @property {boolean} [captionHidden] the caption for screen readers only
 * @property {string} [class] classes of the table besides `stack`
 * @property {Array<StackColumn<T>>} columns
 * @property {T[]} rows
 * @property {(row: T) => Record<string, any>} [rowAttrs] attributes of a row's <tr>
 */

/**
 * A table of `rows`, one per item, in a box that scrolls sideways on its
 * own; on a phone, each row a card of labelled cells.
 * @template T
 * @param {StackTableSpec<T>} spec
 * @returns {HTMLElement}
 */
export function stackTable({ id, caption, captionHidden = false, class: classes, columns, rows, rowAttrs }) {
  const captionText = typeof caption === 'function' ? caption : tx(caption);
  /** @param {StackColumn<T>} column */
  const label = (column) => tx(column.label);
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': `${id}-caption` },
    h(
      'table',
      { id, class: classes ? `stack ${classes}` : 'stack' },
      h('caption', { id: `${id}-caption`, class: captionHidden ? 'visually-hidden' : null }, captionText),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, label(column))))),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            rowAttrs ? rowAttrs(row) : {},
            columns.map((column) =>
              h(
                column.header ? 'th' : 'td',
                { scope: column.header ? 'row' : null, class: column.num ? 'num' : null, 'data-label': label(column) },
                column.cell(row),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * The rows of a table made by stackTable, in the order of its `rows`.
 * @param {HTMLElement} table what stackTable returned
 * @returns {HTMLElement[]}
 */
export function stackRows(table) {
  return [...table.querySelectorAll('tbody > tr')].map((row) => /** @type {HTMLElement} */ (row));
}
