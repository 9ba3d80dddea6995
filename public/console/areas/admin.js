// @ts-check
// The console's admin pages: accounts, the audit trail, departments and the
// installation's branding, and what the public directories publish
// (pages/admin-*.js).

import { addMessages } from '../../lib/i18n.js';
import en from '../i18n/en/admin.js';
import zh from '../i18n/zh/admin.js';
import { accountPage } from '../pages/admin-account.js';
import { accountsPage, newAccountPage } from '../pages/admin-accounts.js';
import { auditPage } from '../pages/admin-audit.js';
import { brandingPage } from '../pages/admin-branding.js';
import { departmentPage, departmentsPage } from '../pages/admin-departments.js';
import { publicationPage } from '../pages/admin-publication.js';

addMessages({ zh, en });

/** @type {Array<import('../session.js').User['role']>} */
const ADMINS = ['admin'];

/** @type {import('../router.js').Route[]} */
export const routes = [
  { path: '/admin', roles: ADMINS, title: 'admin.accounts.h1', render: accountsPage },
  { path: '/admin/accounts', roles: ADMINS, title: 'admin.accounts.h1', render: accountsPage },
  { path: '/admin/accounts/new', roles: ADMINS, title: 'admin.new.h1', render: newAccountPage },
  { path: '/admin/accounts/:id', roles: ADMINS, title: 'admin.account.title', render: accountPage },
  { path: '/admin/audit', roles: ADMINS, title: 'admin.audit.h1', render: auditPage },
  { path: '/admin/departments', roles: ADMINS, title: 'admin.departments.h1', render: departmentsPage },
  { path: '/admin/departments/:code', roles: ADMINS, title: 'admin.department.title', render: departmentPage },
  { path: '/admin/branding', roles: ADMINS, title: 'admin.branding.h1', render: brandingPage },
  { path: '/admin/publication', roles: ADMINS, title: 'admin.publication.h1', render: publicationPage },
];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [{ href: '#/admin', label: 'admin.nav', roles: ADMINS }];
