// @ts-check
// Pieces every page module builds with: the title that follows the
// language, a titled section, an alert for a failed request.

import { h, tx } from './dom.js';
import { onLangChange, t } from './i18n.js';

/**
 * An alert box for a failed request (the server's message stays as sent).
 * @param {{status?: number, message: string}} error
 */
export function errorBox(error) {
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    () => (error && error.status === 0 ? t('error.network') : t('error.load', { message: error.message })),
  );
}

let titleFn = null;

/**
 * @param {() => string} render the title in the current language
 */
export function setTitle(render) {
  if (!titleFn) onLangChange(() => (document.title = titleFn()));
  titleFn = render;
  document.title = render();
}

/**
 * @param {string} id
 * @param {string} titleKey the message key of its heading
 * @param {...import('./dom.js').Child} content
 */
export function section(id, titleKey, ...content) {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, tx(titleKey)), ...content);
}
