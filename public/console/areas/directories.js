// @ts-check
// The directories, for supervisors: targets, inspectors, items, recusals
// and the working-day calendar, each browsed and imported, and the
// department's working rules, published (pages/directory-*.js).

import { addMessages } from '../../lib/i18n.js';
import en from '../i18n/en/directories.js';
import zh from '../i18n/zh/directories.js';
import { calendarPage } from '../pages/directory-calendar.js';
import { rulesPage } from '../pages/directory-rules.js';
import { inspectorsPage, itemsPage, recusalsPage } from '../pages/directory-tables.js';
import { targetsPage } from '../pages/directory-targets.js';

addMessages({ zh, en });

/** @type {Array<import('../session.js').User['role']>} */
const SUPERVISORS = ['supervisor'];

/** @type {import('../router.js').Route[]} */
export const routes = [
  { path: '/directories', roles: SUPERVISORS, title: 'directories.targets.h1', render: targetsPage },
  { path: '/directories/targets', roles: SUPERVISORS, title: 'directories.targets.h1', render: targetsPage },
  { path: '/directories/inspectors', roles: SUPERVISORS, title: 'directories.inspectors.h1', render: inspectorsPage },
  { path: '/directories/items', roles: SUPERVISORS, title: 'directories.items.h1', render: itemsPage },
  { path: '/directories/recusals', roles: SUPERVISORS, title: 'directories.recusals.h1', render: recusalsPage },
  { path: '/directories/calendar', roles: SUPERVISORS, title: 'directories.calendar.h1', render: calendarPage },
  { path: '/directories/rules', roles: SUPERVISORS, title: 'directories.rules.h1', render: rulesPage },
];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [{ href: '#/directories', label: 'directories.nav', roles: SUPERVISORS }];
