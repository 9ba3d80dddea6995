// @ts-check
// The public list of inspection items (GET /api/public/items), read once
// per page, and the link from an item's code to its entry on items.html,
// with the item's name beside the code once the list has arrived.

import { api } from './api.js';
import { h } from './dom.js';

/**
 * @typedef {{number: number, point: string, legal_basis: string, method: string}} ChecklistPoint
 * @typedef {{version: number, name: string, department: string, legal_basis: string,
 *   target_category: string, method: string, sampling_ratio_bp: number | null, frequency: string,
 *   effective_from: string, effective_until: string | null, ended: string | null, reason: string | null}} ItemVersion
 * @typedef {{code: string, name: string, department: string, legal_basis: string, target_category: string,
 *   method: string, sampling_ratio_bp: number | null, frequency: string, retired_on: string | null,
 *   checklist: ChecklistPoint[], history: ItemVersion[]}} PublicItem
 */

/** @type {Promise<PublicItem[]> | null} */
let loading = null;

/**
 * Every item, in force or retired, by code; asked for once.
 * @returns {Promise<PublicItem[]>}
 */
export function loadItems() {
  if (!loading) {
    loading = api('/api/public/items').then(
      (list) => (list && Array.isArray(list.items) ? list.items : []),
      (error) => {
        loading = null;
        throw error;
      },
    );
  }
  return loading;
}

/** The id of an item's entry on items.html. @param {string} code */
export function itemAnchor(code) {
  return `item-${code}`;
}

/** The address of an item's entry. @param {string} code */
export function itemHref(code) {
  return `items.html#${encodeURIComponent(itemAnchor(code))}`;
}

/**
 * A link from an item's code to its entry, the name beside the code once
 * the list has it (an item the list lacks keeps its code alone).
 * @param {string} code
 * @param {string} [name] the name, when the caller has it already
 */
export function itemLink(code, name) {
  const label = h('span', { class: 'item-link-name', lang: 'zh-CN' }, name || '');
  if (!name) {
    loadItems()
      .then((items) => {
        const item = items.find((i) => i.code === code);
        if (item) label.textContent = item.name;
      })
      .catch(() => {});
  }
  return h('a', { href: itemHref(code), class: 'item-link' }, h('code', {}, code), ' ', label);
}

/**
 * A sampling ratio in basis points as a percentage: 500 → "5%", 250 → "2.5%".
 * @param {number | null | undefined} bp
 */
export function ratioText(bp) {
  if (bp === null || bp === undefined) return '—';
  return `${Number((bp / 100).toFixed(2))}%`;
}
