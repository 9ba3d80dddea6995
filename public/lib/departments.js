// @ts-check
// Departments' and flags' names. The built-in table names the demo's
// departments; the names the server publishes (GET /api/public/site, read
// by lib/site.js) take their place once they are known.

import { pick } from './i18n.js';

/** @typedef {{en: string, zh: string}} Names */

/**
 * Departments the demo directories use; anything else shows its code.
 * @type {Record<string, Names>}
 */
const BUILT_IN_DEPARTMENTS = {
  market: { en: 'Market regulation', zh: '市场监管' },
  health: { en: 'Health', zh: '卫生健康' },
};

/** @type {Record<string, Names>} */
const FLAGS = {
  abnormal: { en: 'listed for abnormal operation', zh: '列入经营异常名录' },
};

/**
 * The server's names, by code.
 * @type {Map<string, Names>}
 */
const published = new Map();

/**
 * Takes the departments' names the server publishes; a name it leaves
 * empty keeps the built-in one (or the other language's).
 * @param {Array<{code: string, name_zh?: string | null, name_en?: string | null}>} departments
 */
export function useDepartmentNames(departments) {
  for (const d of departments) {
    if (!d || typeof d.code !== 'string') continue;
    const builtIn = BUILT_IN_DEPARTMENTS[d.code];
    const en = d.name_en || (builtIn && builtIn.en) || d.name_zh || d.code;
    const zh = d.name_zh || (builtIn && builtIn.zh) || d.name_en || d.code;
    published.set(d.code, { en, zh });
  }
}

/** A department's name in the current language; its code when unknown. @param {string} code */
export function departmentLabel(code) {
  const known = published.get(code) || BUILT_IN_DEPARTMENTS[code];
  return known ? pick(known) : code;
}

/** @param {string} flag */
export function flagLabel(flag) {
  const known = FLAGS[flag];
  return known ? `${pick(known)} (${flag})` : flag;
}
