// @ts-check
// The department's annual spot-check plans, for supervisors: the list,
// a draft started and changed, approved, and the quotas of each batch
// derived for a new task (pages/plans.js, pages/plan-form.js).

import { addMessages } from '../../lib/i18n.js';
import en from '../i18n/en/plans.js';
import zh from '../i18n/zh/plans.js';
import { planFormPage } from '../pages/plan-form.js';
import { planListPage, planPageView } from '../pages/plans.js';

addMessages({ zh, en });

/** @type {Array<import('../session.js').User['role']>} */
const SUPERVISORS = ['supervisor'];

/** @type {import('../router.js').Route[]} */
export const routes = [
  { path: '/plans', roles: SUPERVISORS, title: 'plans.list.h1', render: planListPage },
  // Before '/plans/:code', which would take 'new' for a code.
  { path: '/plans/new', roles: SUPERVISORS, title: 'plans.form.new.h1', render: planFormPage },
  { path: '/plans/:code', roles: SUPERVISORS, title: 'plans.view.title', render: planPageView },
  { path: '/plans/:code/edit', roles: SUPERVISORS, title: 'plans.form.edit.h1', render: planFormPage },
];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [{ href: '#/plans', label: 'plans.nav', roles: SUPERVISORS }];
