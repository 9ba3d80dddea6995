// @ts-check
// Pages by URL fragment (#/tasks/12): the console is one document, so a
// page change keeps the session and the language, and the back button
// works. Each area of the console (areas/*.js) lists its routes; a route
// names the roles that may open it, and the router sends anyone else to
// the dashboard (the server refuses them anyway); an `open` route (signing
// in) is for anyone.

import { fill, h, tx } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { refusal } from './forms.js';
import { user } from './session.js';

/**
 * @typedef {import('./session.js').User} User
 * @typedef {{
 *   path: string,
 *   roles: Array<User['role']>,
 *   open?: boolean,
 *   title: string | ((params: Record<string, string>) => string),
 *   render: (main: HTMLElement, params: Record<string, string>, query: URLSearchParams) => Promise<void> | void,
 * }} Route
 */

/** @type {Route[]} */
const routes = [];
/** @type {Route | null} */
let fallback = null;
/** Counts page changes: a page still drawing when the next one starts (its
 * request answered late, or refused because the session ended) must not
 * draw over the next one. */
let pageCount = 0;

/** Adds routes; `path` segments starting with ':' are parameters. */
export function addRoutes(/** @type {Route[]} */ more) {
  routes.push(...more);
}

/** The route for paths that match none (the dashboard). */
export function setFallback(/** @type {Route} */ route) {
  fallback = route;
}

/** The fragment as a path and a query: '#/tasks/3?x=1' → ['/tasks/3', {x: 1}]. */
function location() {
  const fragment = window.location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = fragment.split('?');
  return { path: path || '/', query: new URLSearchParams(query) };
}

/**
 * The route matching `path`, with its parameters.
 * @param {string} path
 * @returns {{route: Route, params: Record<string, string>} | null}
 */
function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    /** @type {Record<string, string>} */
    const params = {};
    const ok = pattern.every((piece, i) => {
      if (piece.startsWith(':')) {
        params[piece.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return piece === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

/** Goes to `fragment` ('#/tasks/3'). */
export function go(/** @type {string} */ fragment) {
  if (window.location.hash === fragment) render();
  else window.location.hash = fragment;
}

/** Whether the signed-in user's role may open `route`. */
function allowed(/** @type {Route} */ route) {
  if (route.open) return true;
  const me = user();
  return !!me && route.roles.includes(me.role);
}

/**
 * Draws the current page into <main>: its title, then the page. The page's
 * first heading gets the focus, as a new page's would, so that a screen
 * reader announces it.
 */
export async function render() {
  const page = ++pageCount;
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  const { path, query } = location();
  const found = match(path);
  const { route, params } =
    found && allowed(found.route) ? found : { route: /** @type {Route} */ (fallback), params: {} };
  const title = () => (typeof route.title === 'function' ? route.title(params) : t(route.title));
  document.title = `${title()} — ${t('console.title')}`;
  main.setAttribute('aria-busy', 'true');
  fill(main, h('p', { class: 'muted' }, tx('console.loading')));
  markCurrent(path);
  // Each page draws into a frame of its own. A page still waiting for its
  // data when the next one is opened then finishes into its frame, off the
  // screen, instead of adding itself to the page that replaced it.
  const frame = h('div', { class: 'page' });
  try {
    main.replaceChildren(frame);
    await route.render(frame, params, query);
  } catch (error) {
    if (page !== pageCount) return;
    fill(
      frame,
      h('h1', {}, title),
      h(
        'div',
        { class: 'notice notice-error', role: 'alert' },
        error && error.code
          ? refusal(error, { within: 'console.error.page' })
          : () => t('console.error.page', { message: String((error && error.message) || error) }),
      ),
    );
  } finally {
    if (page === pageCount) main.removeAttribute('aria-busy');
  }
  if (page !== pageCount) return;
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

/** Marks the navigation link of the current area with aria-current. */
function markCurrent(/** @type {string} */ path) {
  const area = '/' + (path.split('/').filter(Boolean)[0] || '');
  for (const link of document.querySelectorAll('#console-nav a')) {
    const href = (link.getAttribute('href') || '').replace(/^#/, '');
    const current = href === '/' ? area === '/' : path === href || path.startsWith(href + '/') || area === href;
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}
