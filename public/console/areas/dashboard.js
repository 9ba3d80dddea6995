// @ts-check
// The dashboard: what is waiting for the signed-in user (pages/dashboard.js).

import { addMessages } from '../../lib/i18n.js';
import en from '../i18n/en/dashboard.js';
import zh from '../i18n/zh/dashboard.js';
import { dashboardPage } from '../pages/dashboard.js';

addMessages({ zh, en });

/** The page for every path no other route takes. */
/** @type {import('../router.js').Route} */
export const home = {
  path: '/',
  roles: ['admin', 'supervisor', 'inspector'],
  title: 'console.nav.dashboard',
  render: dashboardPage,
};

/** @type {import('../router.js').Route[]} */
export const routes = [home];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [{ href: '#/', label: 'console.nav.dashboard', roles: ['admin', 'supervisor', 'inspector'] }];
