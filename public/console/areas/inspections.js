// @ts-check
// The inspector's area: their assignments, and the result form that walks
// through an item's checklist to a submitted result (pages/inspector/*).
// Drafts are kept in the browser while typed (drafts.js).

import { addMessages } from '../../lib/i18n.js';
import en from '../i18n/en/inspector.js';
import zh from '../i18n/zh/inspector.js';
import { assignmentsPage } from '../pages/inspector/assignments.js';
import { resultPage } from '../pages/inspector/result.js';

addMessages({ zh, en });

/** @type {import('../router.js').Route[]} */
export const routes = [
  { path: '/assignments', roles: ['inspector'], title: 'inspector.assignments.h1', render: assignmentsPage },
  { path: '/assignments/:task/:target/:item', roles: ['inspector'], title: 'inspector.result.title', render: resultPage },
];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [{ href: '#/assignments', label: 'inspector.nav', roles: ['inspector'] }];
