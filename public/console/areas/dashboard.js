// @ts-check
// The dashboard: what is waiting for the signed-in user.

import { h, tx } from '../../lib/dom.js';

/** The page for every path no other route takes. */
/** @type {import('../router.js').Route} */
export const home = {
  path: '/',
  roles: ['admin', 'supervisor', 'inspector'],
  title: 'console.nav.dashboard',
  render: (main) => {
    main.append(h('h1', {}, tx('console.nav.dashboard')));
  },
};

/** @type {import('../router.js').Route[]} */
export const routes = [home];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [{ href: '#/', label: 'console.nav.dashboard', roles: ['admin', 'supervisor', 'inspector'] }];
