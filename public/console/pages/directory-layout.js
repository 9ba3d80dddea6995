// @ts-check
// What every directory page shares: the links between the five directories and the working rules
// and the page's heading.

import { h, tx } from '../../lib/dom.js';
import { subNav } from './data-table.js';

/** The directories, in the order a supervisor fills them. */
const TABS = /** @type {Array<[string, string]>} */ ([
  ['#/directories/targets', 'directories.tab.targets'],
  ['#/directories/inspectors', 'directories.tab.inspectors'],
  ['#/directories/items', 'directories.tab.items'],
  ['#/directories/recusals', 'directories.tab.recusals'],
  ['#/directories/calendar', 'directories.tab.calendar'],
  ['#/directories/rules', 'directories.tab.rules'],
]);

/**
 * Starts a directory page: the links, the heading and its introduction.
 * @param {HTMLElement} main
 * @param {'targets' | 'inspectors' | 'items' | 'recusals' | 'calendar' | 'rules'} kind
 */
export function directoryHeading(main, kind) {
  main.append(
    subNav('directories.tabs', TABS, `#/directories/${kind}`),
    h('h1', {}, tx(`directories.${kind}.h1`)),
    h('p', { class: 'lead' }, tx(`directories.${kind}.intro`)),
  );
}
