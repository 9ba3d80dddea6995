// @ts-check
// The public site's entry point, loaded by every page: registers the texts
// of both languages, draws the shared header and footer (lib/chrome.js),
// then loads and starts the page's own module (data-page on <body>) from
// pages/. The server's description of the site (lib/site.js) is read
// alongside: its departments' names and branding replace the built-in ones
// when it answers.

import { en } from './i18n/en.js';
import { zh } from './i18n/zh.js';
import { ApiError } from './lib/api.js';
import { renderChrome, showBranding } from './lib/chrome.js';
import { $, refreshTexts } from './lib/dom.js';
import { addMessages, applyStatic } from './lib/i18n.js';
import { errorBox } from './lib/page.js';
import { loadSite } from './lib/site.js';

addMessages({ en, zh });

/** @type {Record<string, () => Promise<unknown>>} */
const PAGES = {
  home: () => import('./pages/home.js').then((m) => m.pageHome()),
  task: () => import('./pages/task.js').then((m) => m.pageTask()),
  log: () => import('./pages/log.js').then((m) => m.pageLog()),
  how: () => import('./pages/how.js').then((m) => m.pageHow()),
  results: () => import('./pages/results.js').then((m) => m.pageResults()),
  stats: () => import('./pages/stats.js').then((m) => m.pageStats()),
  items: () => import('./pages/items.js').then((m) => m.pageItems()),
  rules: () => import('./pages/rules.js').then((m) => m.pageRules()),
  plans: () => import('./pages/plans.js').then((m) => m.pagePlans()),
  directories: () => import('./pages/directories.js').then((m) => m.pageDirectories()),
};

function start() {
  const name = document.body.dataset.page || '';
  renderChrome(name);
  applyStatic();
  loadSite().then((site) => {
    if (!site) return;
    showBranding(site.branding);
    // Texts already drawn with the built-in departments' names.
    refreshTexts();
  });
  const page = PAGES[name];
  if (!page) return;
  page().catch((error) => {
    // A page module that could not load, or a bug: say so instead of "Loading…" forever.
    const main = $('#main');
    if (main) {
      main.removeAttribute('aria-busy');
      main.append(errorBox(error instanceof ApiError ? error : new ApiError(-1, 'page', String((error && error.message) || error))));
    }
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
