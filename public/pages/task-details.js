// @ts-check
// The task page's parameters, entropy and files: what was committed, where
// the randomness came from, and the files that let anyone recompute the draw.

import { departmentLabel } from '../lib/departments.js';
import { h, tx } from '../lib/dom.js';
import { folded } from '../lib/fold.js';
import { itemLink } from '../lib/items.js';
import { digestEl, formatTime, list, timeEl, zoneLabel } from '../lib/format.js';
import { has, t } from '../lib/i18n.js';
import { describeRules, overrideText, quotaText, strataWords, taskDepartments } from '../lib/rules.js';
import { parsePayload } from './task-timeline.js';

export const taskFileUrl = (id, name) =>
  name === 'bundle.tar'
    ? `/api/public/tasks/${id}/bundle.tar`
    : `/api/public/tasks/${id}/files/${encodeURIComponent(name)}`;

/**
 * @param {string} labelKey
 * @param {import('../lib/dom.js').Child} value
 */
export function row(labelKey, value) {
  return h('div', {}, h('dt', {}, tx(labelKey)), h('dd', {}, value));
}

/**
 * @param {import('../lib/types.js').PublicTask} task
 */
export function renderParameters(task) {
  const def = task.definition || {};
  const departments = taskDepartments(task);
  const strataBy = def.strata_by || [];
  const cross = def.cross || [];
  const crossKey =
    cross.includes('region') && cross.includes('unit')
      ? 'p.cross.both'
      : cross.includes('region')
        ? 'p.cross.region'
        : cross.includes('unit')
          ? 'p.cross.unit'
          : 'p.cross.none';
  const overrides = Object.entries(def.quota_by_stratum || {});
  return [
    h('p', { class: 'rules-summary', id: 'rules-summary' }, () => describeRules(task)),
    h('p', { class: 'muted' }, tx('task.params.intro')),
    h(
      'dl',
      { class: 'facts facts-wide' },
      row('p.items', [(def.items || []).map((item, i) => [i ? ', ' : '', itemLink(item)]), ' (', tx('p.items.note'), ')']),
      row(
        'p.departments',
        [
          () =>
            list(
              departments.map((d) =>
                d === task.department && departments.length > 1 ? `${departmentLabel(d)} (${t('p.lead')})` : departmentLabel(d),
              ),
            ),
          departments.length > 1 ? [' — ', tx('p.joint')] : null,
        ],
      ),
      row('p.strata', strataBy.length ? () => strataWords(strataBy) : tx('p.strata.none')),
      row('p.quota', [
        def.quota
          ? () => t(strataBy.length ? 'p.quota.default' : 'p.quota.pool', { q: quotaText(def.quota) })
          : tx('p.quota.noDefault'),
        overrides.length
          ? h('ul', { class: 'plain' }, overrides.map(([key, rule]) => h('li', {}, () => overrideText(key, rule, strataBy))))
          : null,
      ]),
      row(
        'p.perTarget',
        departments.length > 1 ? tx('p.perTarget.joint', { k: def.inspectors_per_target }) : String(def.inspectors_per_target),
      ),
      row('p.cross', tx(crossKey)),
      row('p.balance', tx(def.balance === false ? 'p.balance.no' : 'p.balance.yes')),
      row('p.certificate', h('time', { datetime: def.certificate_date }, def.certificate_date)),
      row('p.embargo', def.embargo_until ? h('time', { datetime: def.embargo_until }, def.embargo_until) : tx('p.embargo.none')),
    ),
  ];
}

/**
 * @param {import('../lib/types.js').PublicTask} task
 */
export function committedPayload(task) {
  const entry = (task.timeline || []).find((e) => e.kind === 'task.committed');
  return entry ? parsePayload(entry) : {};
}

/**
 * What the task's log entries pin of its bundle beyond the page's digests (§10): the line
 * digests of its replacements in number order (keyed_line, or line in entries logged
 * before keyed digests) and the time of its commitment.
 * @param {import('../lib/types.js').PublicTask} task
 */
export function loggedPins(task) {
  const timeline = task.timeline || [];
  const replaced = timeline
    .filter((e) => e.kind === 'task.replaced')
    .map(parsePayload)
    .sort((a, b) => (a.replacement ?? 0) - (b.replacement ?? 0));
  const committed = timeline.find((e) => e.kind === 'task.committed');
  return {
    replacements: replaced.map((p) => p.keyed_line ?? p.line ?? null),
    committedAt: committed ? committed.at : null,
  };
}

/**
 * @param {import('../lib/types.js').PublicTask} task
 */
export function drawnPayload(task) {
  const entry = (task.timeline || []).find((e) => e.kind === 'task.drawn');
  return entry ? parsePayload(entry) : {};
}

/**
 * @param {import('../lib/types.js').PublicTask} task
 */
export function renderEntropy(task) {
  const def = task.definition || {};
  const plan = def.entropy || {};
  const committed = committedPayload(task);
  const format = committed.entropy_format || plan.format;
  const notYet = (key) => h('span', { class: 'muted' }, tx(key));
  return [
    entropyKind(format, committed, plan),
    h(
    'dl',
    { class: 'facts facts-wide' },
    row('p.entropy.format', [h('code', {}, format), ' — ', has(`entropy.${format}`) ? tx(`entropy.${format}`) : null]),
    row('p.entropy.source', committed.entropy_source || plan.source),
    renderEntropyEvent(task, committed.entropy_event ?? plan.event_at ?? null),
    plan.min_length ? row('p.entropy.min', tx('p.entropy.minValue', { n: plan.min_length })) : null,
    row('p.entropy.value', task.entropy ? h('code', { class: 'digest' }, task.entropy) : notYet('p.notYet.entropy')),
    committed.secret_hash ? row('p.secretHash', digestEl(committed.secret_hash)) : null,
    row('p.secret', task.secret ? digestEl(task.secret) : notYet('p.notYet.secret')),
    row('p.seed', task.seed ? digestEl(task.seed) : notYet('p.notYet.secret')),
    ),
  ];
}

/**
 * Which kind of randomness the task used, and what that proves: a drand
 * round fixed at the commitment, or a value typed in at a public ceremony.
 * @param {string | undefined} format
 * @param {Record<string, any>} committed the commitment's log payload
 * @param {Record<string, any>} plan the definition's entropy plan
 */
function entropyKind(format, committed, plan) {
  if (!format) return null;
  if (format === 'drand') {
    const event = committed.entropy_event;
    const vars = () => ({ round: committed.drand_round ?? '?', time: event ? `${formatTime(event)} (${zoneLabel()}) · ${event.slice(0, 10)} ${event.slice(11, 19)} UTC` : '?' });
    return h(
      'div',
      { class: 'notice notice-info entropy-kind', id: 'entropy-kind', dataset: { kind: 'drand' } },
      h('p', {}, h('strong', {}, tx('p.kind.drand.title')), ' ', () => t('p.kind.drand.what', vars())),
      h('p', {}, tx('p.kind.drand.proves')),
      h('p', {}, tx('p.kind.drand.check')),
    );
  }
  return h(
    'div',
    { class: 'notice notice-info entropy-kind', id: 'entropy-kind', dataset: { kind: 'ceremony' } },
    h('p', {}, h('strong', {}, tx('p.kind.ceremony.title')), ' ', () => t('p.kind.ceremony.what', { source: committed.entropy_source || plan.source || '' })),
    h('p', {}, tx('p.kind.ceremony.proves')),
    h('p', {}, tx('p.kind.ceremony.relies')),
  );
}

/**
 * The committed event time beside the commitment time (§3.3), flagging a reversal.
 * @param {import('../lib/types.js').PublicTask} task
 * @param {string | null | undefined} event the committed time of the entropy's event (RFC 3339)
 */
function renderEntropyEvent(task, event) {
  const entry = (task.timeline || []).find((e) => e.kind === 'task.committed');
  const committedAt = entry ? entry.at : task.committed_at;
  if (!event) return committedAt ? row('p.entropy.event', h('span', { class: 'muted', id: 'entropy-event' }, tx('p.entropy.noEvent'))) : null;
  const reversed = committedAt && !(Date.parse(event) > Date.parse(committedAt));
  return [
    row('p.entropy.event', [
      h('time', { datetime: event, id: 'entropy-event' }, event),
      committedAt && !reversed ? [' — ', h('span', { class: 'muted' }, tx('p.entropy.inOrder'))] : null,
    ]),
    committedAt ? row('p.entropy.committedAt', timeEl(committedAt)) : null,
    reversed ? h('div', { class: 'notice notice-warn', role: 'alert', id: 'entropy-reversed' }, h('p', {}, tx('p.entropy.reversed'))) : null,
  ];
}

/**
 * @param {import('../lib/types.js').PublicTask} task
 */
export function renderFiles(task) {
  const files = task.files || [];
  const bundle = `task-${task.id}-bundle.tar`;
  return [
    h('p', {}, tx('task.files.intro')),
    h(
      'dl',
      { class: 'facts facts-wide' },
      row('d.commitment', task.commitment_digest ? digestEl(task.commitment_digest, 'commitment-digest') : '—'),
      row(
        'd.result',
        task.result_digest ? digestEl(task.result_digest, 'result-digest') : h('span', { class: 'muted' }, tx('d.result.none')),
      ),
    ),
    files.length
      ? [
          h('h3', {}, tx('task.files.list')),
          folded(
            'files-fold',
            () => t('task.files.summary', { n: files.length }),
            h(
            'ul',
            { class: 'file-list' },
            files.map((name) =>
              h(
                'li',
                { 'data-file': name },
                h('a', { href: taskFileUrl(task.id, name), download: `task-${task.id}-${name}` }, name),
                ' — ',
                has(`file.${name}`) ? tx(`file.${name}`) : '',
              ),
            ),
            ),
          ),
        ]
      : null,
    (task.state === 'revealed' || task.draw_published) && task.commitment_digest && task.result_digest
      ? [
          h('p', {}, tx('task.files.command')),
          h(
            'pre',
            { class: 'command' },
            h('code', {}, `opendraw verify ${bundle} --log ${location.origin}`),
          ),
        ]
      : null,
  ];
}

/**
 * @param {string} resultTsv
 */
export function parseFailure(resultTsv) {
  const line = resultTsv.split('\n').find((l) => l.startsWith('failure\t'));
  if (!line) return null;
  const [, target, department, rule, remaining, k] = line.split('\t');
  return { target, department, rule, remaining, k };
}
