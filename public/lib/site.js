// @ts-check
// What the server publishes about this installation (GET /api/public/site):
// the authority's branding for the footer and the departments' names. A
// server without it (404) leaves the built-in texts in place.

import { api } from './api.js';
import { useDepartmentNames } from './departments.js';

/**
 * @typedef {object} Branding
 * @property {string} [authority_zh]
 * @property {string} [authority_en]
 * @property {string} [contact]
 * @property {string} [objection_channel]
 * @property {string} [icp_filing]
 */

/**
 * @typedef {object} SiteInfo
 * @property {Branding} branding
 * @property {Array<{code: string, name_zh: string, name_en: string}>} departments
 */

/** @type {Promise<SiteInfo | null> | null} */
let request = null;

/** Reads the site's description once; null when the server has none. */
export function loadSite() {
  if (!request) {
    request = api('/api/public/site')
      .then((site) => {
        if (!site || typeof site !== 'object') return null;
        const info = /** @type {SiteInfo} */ ({
          branding: site.branding && typeof site.branding === 'object' ? site.branding : {},
          departments: Array.isArray(site.departments) ? site.departments : [],
        });
        useDepartmentNames(info.departments);
        return info;
      })
      .catch(() => null);
  }
  return request;
}
