// @ts-check
// The supervisor's review area: the queue of results to review (and those
// returned, approved, published), one result with its evidence and the
// decisions on it, and the ledger of what is still open (pages/review/*).

import { addMessages } from '../../lib/i18n.js';
import en from '../i18n/en/review.js';
import zh from '../i18n/zh/review.js';
import { ledgerPage } from '../pages/review/ledger.js';
import { queuePage } from '../pages/review/queue.js';
import { resultPage } from '../pages/review/result.js';

addMessages({ zh, en });

/** @type {import('../router.js').Route[]} */
export const routes = [
  { path: '/review', roles: ['supervisor'], title: 'review.queue.h1', render: queuePage },
  { path: '/review/:id', roles: ['supervisor'], title: 'review.result.title', render: resultPage },
  { path: '/ledger', roles: ['supervisor'], title: 'ledger.h1', render: ledgerPage },
];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [
  { href: '#/review', label: 'review.nav', roles: ['supervisor'] },
  { href: '#/ledger', label: 'ledger.nav', roles: ['supervisor'] },
];
