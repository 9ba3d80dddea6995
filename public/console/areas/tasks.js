// @ts-check
// The console's tasks area: the department's tasks, defining a task with a
// form, and its life from the trial run to the reveal (pages/tasks/*).

import { addMessages } from '../../lib/i18n.js';
import en from '../i18n/en/tasks.js';
import zh from '../i18n/zh/tasks.js';
import { taskFormPage } from '../pages/tasks/form.js';
import { taskListPage } from '../pages/tasks/list.js';
import { noticePage } from '../pages/tasks/notice.js';
import { taskPage } from '../pages/tasks/task.js';

addMessages({ zh, en });

/** @type {import('../router.js').Route[]} */
export const routes = [
  { path: '/tasks', roles: ['supervisor'], title: 'tasks.list.h1', render: taskListPage },
  // Before '/tasks/:id', which would take 'new' for an id.
  { path: '/tasks/new', roles: ['supervisor'], title: 'tasks.form.new.h1', render: taskFormPage },
  { path: '/tasks/:id', roles: ['supervisor'], title: 'tasks.task.title', render: taskPage },
  { path: '/tasks/:id/edit', roles: ['supervisor'], title: 'tasks.form.edit.h1', render: taskFormPage },
  { path: '/tasks/:id/notice', roles: ['supervisor'], title: 'tasks.notice.title', render: noticePage },
];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [{ href: '#/tasks', label: 'tasks.nav', roles: ['supervisor'] }];
