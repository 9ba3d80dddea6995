// @ts-check
// The page that explains the protocol: its prose is static HTML in both
// languages; this module sets the title and the server's address.

import { t } from '../lib/i18n.js';
import { setTitle } from '../lib/page.js';

export function pageHow() {
  setTitle(() => t('title.how'));
  for (const el of document.querySelectorAll('[data-origin]')) {
    el.textContent = location.host;
  }
}
