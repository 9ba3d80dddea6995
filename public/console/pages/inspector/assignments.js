// @ts-check
// My assignments (#/assignments): every target the inspector is assigned
// to from its task's draw on, grouped by task, the soonest deadline first;
// for each the entity, where it is (with a link to the phone's map app),
// its risk class, the team, and the items with what is left to do. Due
// soon and overdue say so in words. The drafts this browser still has to
// send are listed at the top; a conflict of interest is declared here.

import { fill, h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { waitingDrafts, waitingFiles } from '../../drafts.js';
import { confirmation, errorsOf, field, keptRefusal, showErrors } from '../../forms.js';
import { get, send } from '../../session.js';
import { localTime } from '../data-table.js';
import { deadlineEl, formHref, soonest, urgency } from './data.js';

/** @typedef {import('./data.js').Assignment} Assignment */

/** @param {HTMLElement} main */
export async function assignmentsPage(main) {
  /** @type {Assignment[]} */
  const assignments = await get('/api/me/assignments');
  fill(
    main,
    h('h1', {}, tx('inspector.assignments.h1')),
    h('p', { class: 'lead' }, tx('inspector.assignments.intro')),
    waitingPart(),
    assignments.length
      ? byTask(assignments).map(taskPart)
      : h('p', { class: 'notice notice-info', id: 'no-assignments' }, tx('inspector.assignments.none')),
  );
}

/** Compares deadlines' due dates, none last. */
function byDue(/** @type {import('./data.js').Deadline | null} */ a, /** @type {import('./data.js').Deadline | null} */ b) {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return a.due_date < b.due_date ? -1 : a.due_date > b.due_date ? 1 : 0;
}

/** The assignments grouped by task; tasks and targets by soonest deadline. */
function byTask(/** @type {Assignment[]} */ assignments) {
  /** @type {Map<number, Assignment[]>} */
  const groups = new Map();
  for (const a of assignments) groups.set(a.task, [...(groups.get(a.task) || []), a]);
  const out = [...groups.values()].map((targets) => targets.sort((a, b) => byDue(soonest(a), soonest(b))));
  return out.sort((a, b) => byDue(soonest(a[0]), soonest(b[0])) || a[0].task - b[0].task);
}

/** The drafts typed here and the files kept here, not yet on the server. */
function waitingPart() {
  const part = h('div', { id: 'waiting' });
  waitingFiles().then((files) => {
    const waiting = waitingDrafts();
    if (!waiting.length && !files.length) return;
    fill(
      part,
      h(
        'section',
        { class: 'notice notice-warn', id: 'waiting-drafts', 'aria-labelledby': 'waiting-drafts-h2' },
        h('h2', { id: 'waiting-drafts-h2' }, tx('inspector.waiting.h2', { count: waiting.length + files.length })),
        h('p', {}, tx(navigator.onLine ? 'inspector.waiting.online' : 'inspector.waiting.offline')),
        h(
          'ul',
          {},
          waiting.map(({ draft }) =>
            h(
              'li',
              {},
              h('a', { href: formHref(draft) }, tx('inspector.waiting.draft', { task: draft.task, target: draft.target, item: draft.item })),
              draft.error ? h('span', { class: 'field-error' }, ' — ', keptRefusal(draft)) : null,
            ),
          ),
          files.map((file) =>
            h(
              'li',
              {},
              h('a', { href: formHref(file, 'finish') }, tx('inspector.waiting.file', { name: file.name, task: file.task, target: file.target, item: file.item })),
              file.error ? h('span', { class: 'field-error' }, ' — ', keptRefusal(file)) : null,
            ),
          ),
        ),
      ),
    );
  });
  return part;
}

/** @param {Assignment[]} targets */
function taskPart(targets) {
  const first = targets[0];
  const id = `task-${first.task}`;
  return h(
    'section',
    { class: 'assignment-task', 'aria-labelledby': id, dataset: { task: String(first.task) } },
    h('h2', { id }, tx('inspector.assignments.task', { id: first.task, name: first.task_name })),
    first.task_state === 'drawn' ? h('p', { class: 'hint' }, tx('inspector.assignments.sealed')) : null,
    h('ul', { class: 'assignment-list' }, targets.map(card)),
  );
}

/**
 * A link that opens the phone's map app at an address. Android hands a
 * `geo:` URI to whichever map app is installed (Amap, Baidu, Google…);
 * iOS does not know `geo:`, but Safari opens maps.apple.com links in
 * Apple Maps. A desktop has neither, so it gets only the web map. The web
 * map is Amap's URI service: it opens the Amap app when installed and its
 * web page otherwise, and it answers in mainland China, where the
 * entities are.
 * @param {string} address
 */
function mapLinks(address) {
  const q = encodeURIComponent(address);
  const agent = navigator.userAgent;
  const ios = /iPhone|iPad|iPod/.test(agent) || (/Macintosh/.test(agent) && navigator.maxTouchPoints > 1);
  const android = /Android/.test(agent);
  const app = ios ? `https://maps.apple.com/?q=${q}` : android ? `geo:0,0?q=${q}` : null;
  return [
    app ? h('a', { href: app, class: 'map-link' }, tx('inspector.map.app')) : null,
    app ? ' · ' : null,
    h('a', { href: `https://uri.amap.com/search?keyword=${q}`, class: 'map-link map-web', target: '_blank', rel: 'noopener' }, tx('inspector.map.web')),
  ];
}

/** @param {Assignment} a */
function card(a) {
  const level = urgency(soonest(a));
  return h(
    'li',
    { class: 'task-card assignment-card', dataset: { target: a.target, urgency: level || 'later' } },
    h('h3', { class: 'task-card-title' }, a.target_name || a.target),
    level ? h('p', { class: `urgency urgency-${level}` }, h('strong', {}, tx(`inspector.urgency.${level}`))) : null,
    h(
      'dl',
      { class: 'facts' },
      fact('inspector.fact.target', a.target),
      fact('inspector.fact.address', a.address ? [h('span', { class: 'address' }, a.address), h('br'), mapLinks(a.address)] : tx('inspector.none')),
      fact('inspector.fact.region', a.region || t('inspector.none')),
      fact('inspector.fact.risk', a.risk_class || t('inspector.none')),
      fact('inspector.fact.industry', a.industry || t('inspector.none')),
      fact(
        'inspector.fact.team',
        h('ul', { class: 'plain team' }, a.team.map((m) => h('li', {}, m.name ? `${m.name}（${m.id}）` : m.id))),
      ),
    ),
    h('h4', {}, tx('inspector.items.h')),
    h('ul', { class: 'assigned-items' }, a.items.map((item) => itemLine(a, item))),
    conflictPart(a),
  );
}

function fact(/** @type {string} */ label, /** @type {any} */ value) {
  return h('div', {}, h('dt', {}, tx(label)), h('dd', {}, value));
}

/**
 * @param {Assignment} a
 * @param {import('./data.js').AssignedItem} item
 */
function itemLine(a, item) {
  const place = { task: a.task, target: a.target, item: item.item };
  const action = item.to_do === 'none' ? 'inspector.todo.view' : `inspector.todo.${item.to_do}`;
  return h(
    'li',
    { class: 'assigned-item', dataset: { item: item.item, todo: item.to_do } },
    h('a', { href: formHref(place), class: item.to_do === 'none' ? null : 'button-link' }, tx(action), ' — ', item.item_name || item.item),
    h(
      'p',
      { class: 'item-status' },
      () => t(`inspector.state.${item.result_state || 'none'}`),
      item.checklist_points ? [' · ', tx('inspector.items.points', { count: item.checklist_points })] : null,
      item.attachments ? [' · ', tx('inspector.items.files', { count: item.attachments })] : null,
      ' · ',
      deadlineEl(item.deadline),
    ),
    item.to_do === 'fix' && item.return_reason
      ? h('p', { class: 'notice notice-warn returned-reason' }, h('strong', {}, tx('inspector.returned.label')), ' ', item.return_reason)
      : null,
  );
}

/** The conflict declared, or a form to declare one. */
function conflictPart(/** @type {Assignment} */ a) {
  if (a.conflict) {
    return h(
      'p',
      { class: 'notice notice-info conflict-declared' },
      tx(a.conflict.replacement ? 'inspector.conflict.replaced' : 'inspector.conflict.declared', { at: localTime(a.conflict.declared_at) }),
      ' ',
      a.conflict.reason,
    );
  }
  const id = `conflict-${a.task}-${a.target}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const reason = h('textarea', { id: `${id}-reason`, name: 'reason', rows: 3, maxlength: 1000 });
  const form = /** @type {HTMLFormElement} */ (h(
    'form',
    { class: 'stack-form conflict-form', novalidate: true },
    field({ label: tx('inspector.conflict.reason'), hint: tx('inspector.conflict.hint'), control: reason, wide: true }),
    h('button', { type: 'submit', class: 'secondary' }, tx('inspector.conflict.submit')),
  ));
  form.addEventListener('submit', async (/** @type {Event} */ event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (!text) return showErrors(form, [[reason.id, tx('inspector.conflict.required')]]);
    try {
      await send('POST', '/api/me/conflicts', { task: a.task, target: a.target, reason: text });
      fill(form, confirmation(tx('inspector.conflict.done'), h('p', {}, tx('inspector.conflict.next'))));
    } catch (error) {
      showErrors(form, errorsOf(error, { reason: reason.id }));
    }
  });
  return h('details', { class: 'conflict' }, h('summary', {}, tx('inspector.conflict.open')), form);
}
