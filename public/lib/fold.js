// @ts-check
// Long lists folded on the public pages, so that a phone reaches what
// follows them without scrolling past every row: a table shows its first
// rows and a button shows the rest; a long list goes into <details> whose
// summary says how many it holds.

import { h, tx } from './dom.js';

/** Rows a folded table shows before its "show all" button. */
export const FIRST_ROWS = 10;

/**
 * Hides every row after the first `first`, and returns a paragraph with a
 * button that shows them all (then removes itself); null when there is
 * nothing to hide.
 * @param {HTMLElement[]} rows
 * @param {string} controls the id of the table the rows are in
 * @param {() => void} [onShowAll] called once all are shown
 * @param {number} [first]
 */
export function showFirstRows(rows, controls, onShowAll = () => {}, first = FIRST_ROWS) {
  if (rows.length <= first) return null;
  rows.forEach((row, i) => {
    row.hidden = i >= first;
  });
  const button = h(
    'button',
    { type: 'button', class: 'show-all', 'aria-controls': controls, 'data-total': String(rows.length) },
    tx('fold.showAll', { first, total: rows.length }),
  );
  const paragraph = h('p', { class: 'fold' }, button);
  button.addEventListener('click', () => {
    for (const row of rows) row.hidden = false;
    paragraph.remove();
    onShowAll();
  });
  return paragraph;
}

/**
 * `content` in a closed <details> whose summary is `summary`.
 * @param {string} id
 * @param {() => string} summary
 * @param {import('./dom.js').Child} content
 */
export function folded(id, summary, content) {
  return h('details', { id, class: 'fold' }, h('summary', {}, summary), content);
}
