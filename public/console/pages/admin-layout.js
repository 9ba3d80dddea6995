// @ts-check
// What every admin page shares: the links between them, the heading, and
// the list of departments (for choosing an account's department).

import { h, tx } from '../../lib/dom.js';
import { getLang } from '../../lib/i18n.js';
import { get } from '../session.js';
import { subNav } from './data-table.js';

/** @typedef {{code: string, name_zh: string, name_en: string}} Department */

const TABS = /** @type {Array<[string, string]>} */ ([
  ['#/admin/accounts', 'admin.tab.accounts'],
  ['#/admin/audit', 'admin.tab.audit'],
  ['#/admin/departments', 'admin.tab.departments'],
  ['#/admin/branding', 'admin.tab.branding'],
  ['#/admin/publication', 'admin.tab.publication'],
]);

/**
 * Starts an admin page: the links and the heading.
 * @param {HTMLElement} main
 * @param {'accounts' | 'audit' | 'departments' | 'branding' | 'publication'} tab the page's area
 * @param {import('../../lib/dom.js').Child} heading
 */
export function adminHeading(main, tab, heading) {
  main.append(subNav('admin.tabs', TABS, `#/admin/${tab}`), h('h1', {}, heading));
}

/** Every department known, or none when they cannot be had. */
export async function departments() {
  try {
    return /** @type {Department[]} */ (await get('/api/departments'));
  } catch (_) {
    return /** @type {Department[]} */ ([]);
  }
}

/** A department's name in the current language, with its code. */
export function departmentName(/** @type {Department[]} */ known, /** @type {string | null} */ code) {
  if (!code) return '';
  const found = known.find((d) => d.code === code);
  if (!found) return code;
  const name = getLang() === 'zh' ? found.name_zh : found.name_en;
  return name ? `${name} (${code})` : code;
}

/** A link back to a list page. */
export function backLink(/** @type {string} */ href, /** @type {string} */ key) {
  return h('p', { class: 'back-link' }, h('a', { href }, tx(key)));
}
