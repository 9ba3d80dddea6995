// @ts-check
// The audit trail (#/admin/audit): who did what, from where, newest first,
// a page at a time (?after=ID goes to older entries), and all of it as CSV.
// It holds the staff actions that are not public (sign-ins, account
// changes, imports); public facts are in the public log.

import { h, tx } from '../../lib/dom.js';
import { has, t } from '../../lib/i18n.js';
import { get } from '../session.js';
import { dataTable, localTime } from './data-table.js';
import { adminHeading } from './admin-layout.js';

/** Entries per page. */
const PAGE = 50;

/**
 * @typedef {{id: number, at: string, actor: string | null, address: string | null,
 *   action: string, subject: string | null, detail: string | null}} AuditEntry
 */

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} _params
 * @param {URLSearchParams} query
 */
export async function auditPage(main, _params, query) {
  adminHeading(main, 'audit', tx('admin.audit.h1'));
  const after = query.get('after');
  const ask = new URLSearchParams({ limit: String(PAGE) });
  if (after && /^\d+$/.test(after)) ask.set('after', after);
  /** @type {{entries: AuditEntry[], next: number | null}} */
  const page = await get(`/api/audit?${ask}`);
  main.append(
    h('p', { class: 'lead' }, tx('admin.audit.intro')),
    h('p', {}, h('a', { href: '/api/audit.csv', download: 'audit.csv', id: 'audit-csv' }, tx('admin.audit.csv'))),
    dataTable({
      caption: after ? 'admin.audit.caption.older' : 'admin.audit.caption',
      empty: 'admin.audit.empty',
      id: 'audit',
      rows: page.entries,
      columns: [
        { label: 'admin.audit.col.at', header: true, cell: (e) => h('time', { datetime: e.at }, localTime(e.at)) },
        { label: 'admin.audit.col.actor', cell: (e) => e.actor || '—' },
        { label: 'admin.audit.col.action', cell: (e) => h('span', { dataset: { action: e.action } }, () => actionName(e.action)) },
        { label: 'admin.audit.col.subject', cell: (e) => e.subject || '' },
        { label: 'admin.audit.col.detail', cell: (e) => e.detail || '' },
        { label: 'admin.audit.col.address', cell: (e) => e.address || '' },
      ],
    }),
    h(
      'nav',
      { class: 'pager', 'aria-label': tx('admin.audit.pages') },
      after ? h('a', { href: '#/admin/audit', id: 'audit-newest' }, tx('admin.audit.newest')) : null,
      ' ',
      page.next ? h('a', { href: `#/admin/audit?after=${page.next}`, id: 'audit-older', rel: 'next' }, tx('admin.audit.older')) : null,
    ),
  );
}

/** An action in words; an action this page does not know, as the server names it. */
function actionName(/** @type {string} */ action) {
  const key = `admin.audit.action.${action}`;
  return has(key) ? t(key) : action;
}
