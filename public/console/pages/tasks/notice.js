// @ts-check
// The printable notice of a task's draw (抽查结果): the task, its items and
// their legal basis, the authority, the dates, the drawn targets with their
// teams (once revealed: before that they are sealed and not printed), the
// commitment digest and how anyone can verify the draw.

import { h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { get } from '../../session.js';
import { loadDepartments, loadItems, loadTask, notFound, publicPage } from './data.js';
import { digest, eventWords, when } from './describe.js';
import { isDrand, loadDrandRound } from './drand.js';
import { departmentName } from './form-parts.js';
import { append } from './page.js';

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 */
export async function noticePage(main, params) {
  const task = await loadTask(params.id);
  if (!task) return notFound(main, params.id);
  const [items, departments] = await Promise.all([loadItems(), loadDepartments()]);
  const d = task.definition;
  const revealed = task.state === 'revealed' || (task.state === 'abandoned' && !!task.drawn_at);
  /** @type {import('./data.js').Selection | null} */
  const selection = revealed ? await get(`/api/tasks/${task.id}/selection`) : null;
  // A drand task's randomness comes with the round its commitment fixed.
  /** @type {import('./drand.js').DrandRound | null} */
  const round = isDrand(task) && task.committed_at ? await loadDrandRound(task) : null;
  const event = () =>
    round ? t('tasks.notice.drandEvent', { round: round.round, time: when(round.at) }) : eventWords(d.entropy.event_at);
  const authority = d.authority || departmentName(departments, task.department);
  const address = `${window.location.origin}${publicPage(task.id)}`;
  /** @param {string} key @param {any} value */
  const fact = (key, value) => h('div', {}, h('dt', {}, tx(key)), h('dd', {}, value));
  append(main, 
    h('p', { class: 'no-print breadcrumb' }, h('a', { href: `#/tasks/${task.id}` }, tx('tasks.notice.back'))),
    h(
      'article',
      { class: 'printable-notice', id: 'notice' },
      h('p', { class: 'notice-authority' }, authority),
      h('h1', {}, tx('tasks.notice.h1', { name: task.name })),
      h('p', { class: 'notice-number' }, tx('tasks.number', { id: task.id }), d.plan_id ? ` · ${d.plan_id}` : ''),
      h(
        'dl',
        { class: 'facts facts-wide' },
        fact('tasks.notice.authority', authority),
        d.plan_name ? fact('tasks.field.planName', d.plan_name) : null,
        fact('tasks.field.type', () => d.inspection_type || t('tasks.summary.defaultType')),
        fact('tasks.date.committed', when(task.committed_at)),
        fact('tasks.field.event', event),
        fact('tasks.date.drawn', when(task.drawn_at)),
        fact('tasks.date.revealed', when(task.revealed_at)),
        fact('tasks.facts.pool', String(task.pool_size ?? '—')),
        fact('tasks.facts.drawn', String(task.drawn_count ?? '—')),
      ),
      h('h2', {}, tx('tasks.notice.items')),
      h(
        'ul',
        {},
        d.items.map((code) => {
          const item = items.find((i) => i.code === code);
          return h('li', {}, item ? `${item.name}（${code}）` : code, item && item.legal_basis ? h('br') : null, item && item.legal_basis ? h('span', { class: 'hint' }, tx('tasks.notice.basis', { basis: item.legal_basis })) : null);
        }),
      ),
      h('h2', {}, tx('tasks.notice.targets')),
      selection ? targets(selection) : h('p', { class: 'notice notice-sealed', id: 'notice-sealed' }, tx(task.state === 'drawn' ? 'tasks.notice.sealed' : 'tasks.notice.notDrawn')),
      h('h2', {}, tx('tasks.notice.verify')),
      h('dl', { class: 'facts facts-wide' }, fact('tasks.facts.commitment', digest(task.commitment_digest)), task.result_digest ? fact('tasks.facts.result', digest(task.result_digest)) : null),
      h('p', {}, tx('tasks.notice.verify.text')),
      h('p', {}, h('a', { href: publicPage(task.id) }, address)),
      h('p', { class: 'muted' }, tx('tasks.notice.printed', { at: when(new Date().toISOString()) })),
    ),
    h('p', { class: 'no-print' }, h('button', { type: 'button', id: 'print', onclick: () => window.print() }, tx('tasks.notice.print'))),
  );
}

/** @param {import('./data.js').Selection} selection */
function targets(selection) {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'notice-caption' },
    h(
      'table',
      { id: 'notice-targets' },
      h('caption', { id: 'notice-caption' }, tx('tasks.notice.caption', { n: selection.targets.length })),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col', class: 'num' }, tx('tasks.selection.rank')), h('th', { scope: 'col' }, tx('tasks.selection.target')), h('th', { scope: 'col' }, tx('tasks.selection.where')), h('th', { scope: 'col' }, tx('tasks.selection.team'))),
      ),
      h(
        'tbody',
        {},
        selection.targets.map((target) =>
          h(
            'tr',
            {},
            h('td', { class: 'num' }, String(target.rank)),
            h('th', { scope: 'row' }, target.name || '—', h('br'), h('code', {}, target.id)),
            h('td', {}, [target.region, target.industry].map((v) => v || '—').join(' · ')),
            h('td', {}, target.inspectors.map((member) => `${member.name || member.id}（${member.id}）`).join('、')),
          ),
        ),
      ),
    ),
  );
}
