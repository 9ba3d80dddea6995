// @ts-check
// The task page's timeline: the task's public log entries in words.

import { h, tx } from '../lib/dom.js';
import { countTargets, hashEl, kindLabel, list, shortHash, stateLabel, timeEl } from '../lib/format.js';
import { has, t } from '../lib/i18n.js';
import { outcomeLabel } from '../lib/outcomes.js';

/**
 * @param {import('../lib/types.js').LogEntry} entry
 * @returns {Record<string, any>}
 */
export function parsePayload(entry) {
  try {
    return JSON.parse(entry.payload);
  } catch (_) {
    return {};
  }
}

/**
 * @param {import('../lib/types.js').LogEntry} entry
 * @param {import('../lib/types.js').PublicTask} task
 */
function describeEntry(entry, task) {
  const p = parsePayload(entry);
  switch (entry.kind) {
    case 'task.created':
      return t('tl.created', { name: p.name ?? (task ? task.name : '') });
    case 'task.committed':
      return t('tl.committed', {
        pool: p.pool_size != null ? countTargets(p.pool_size) : '?',
        source: p.entropy_source ?? '',
        digest: shortHash(p.commitment),
      });
    case 'task.drawn':
      return t('tl.drawn', {
        entropy: p.entropy ?? '',
        drawn: p.status === 'failed' ? t('tl.drawn.failed') : countTargets(p.drawn ?? 0),
        digest: shortHash(p.result),
      });
    case 'task.revealed':
      return t('tl.revealed');
    case 'task.abandoned':
      return t('tl.abandoned', {
        from: p.from ? stateLabel(p.from, true) : '?',
        reason: p.reason || t('task.abandoned.noReason'),
      });
    case 'task.replaced':
      return t('tl.replaced', { n: p.replacement ?? '?', digest: shortHash(p.keyed_line ?? p.line) });
    case 'result.submitted':
    case 'result.returned':
    case 'result.approved':
      return t(`tl.${entry.kind}`, { ref: p.result ?? '' });
    case 'result.published': {
      const r = p.record || {};
      if (!r.target_name && !r.item_name) return t('tl.result.published.short', { ref: p.result ?? '' });
      return t('tl.result.published', {
        ref: p.result ?? '',
        entity: r.target_name || r.target || '',
        item: r.item_name || r.item || '',
        outcome: outcomeLabel(r.outcome, r.outcome_label),
      });
    }
    case 'result.corrected':
      return t('tl.result.corrected', { ref: p.result ?? '', corrects: p.corrects ?? '', reason: p.reason ?? '' });
    default:
      return t('tl.unknown', { kind: entry.kind });
  }
}

/**
 * Where a published (or correcting) result of a log entry is listed, or null.
 * @param {import('../lib/types.js').LogEntry} entry
 * @param {import('../lib/types.js').PublicTask} task
 */
function resultHref(entry, task) {
  if (entry.kind !== 'result.published' && entry.kind !== 'result.corrected') return null;
  const p = parsePayload(entry);
  if (!p.result) return null;
  const target = p.record && p.record.target ? `&target=${encodeURIComponent(p.record.target)}` : '';
  return `results.html?task=${task ? task.id : p.task}${target}#${encodeURIComponent(p.result)}`;
}

/**
 * @param {import('../lib/types.js').LogEntry} entry
 * @param {import('../lib/types.js').PublicTask} task
 */
function timelineItem(entry, task) {
  const href = resultHref(entry, task);
  return h(
    'li',
    { 'data-kind': entry.kind, 'data-seq': String(entry.seq) },
    h('p', { class: 'tl-head' }, h('strong', {}, () => kindLabel(entry.kind)), ' ', timeEl(entry.at)),
    h('p', { class: 'tl-text' }, () => describeEntry(entry, task), href ? [' ', h('a', { href }, tx('tl.seeResult'))] : null),
    h(
      'p',
      { class: 'meta' },
      entry.actor === 'system' ? tx('tl.system') : tx('tl.by', { actor: entry.actor }),
      ' · ',
      h('a', { href: `log.html?after=${Math.max(0, entry.seq - 1)}#seq-${entry.seq}` }, tx('tl.entry', { seq: entry.seq })),
      ' · ',
      tx('tl.hash'),
      ' ',
      hashEl(entry.hash),
    ),
  );
}

/**
 * The timeline's items; runs of result entries (three entries a result,
 * hundreds of results a task) fold into one item that opens to show them.
 * @param {import('../lib/types.js').LogEntry[]} entries
 * @param {import('../lib/types.js').PublicTask} task
 */
export function timelineItems(entries, task) {
  const items = [];
  let run = [];
  const flush = () => {
    if (run.length < 3) {
      items.push(...run.map((e) => timelineItem(e, task)));
    } else {
      const entries = run;
      const counts = () => {
        const byKind = new Map();
        for (const e of entries) byKind.set(e.kind, (byKind.get(e.kind) || 0) + 1);
        return list([...byKind].map(([kind, n]) => (has(`tl.count.${kind}`) ? t(`tl.count.${kind}`, { n }) : `${kind} ${n}`)));
      };
      items.push(
        h(
          'li',
          { class: 'tl-group', 'data-kind': 'result' },
          h(
            'details',
            {},
            h('summary', {}, () => t('tl.group', { n: entries.length, counts: counts() })),
            h('ol', { class: 'timeline timeline-nested' }, entries.map((e) => timelineItem(e, task))),
          ),
        ),
      );
    }
    run = [];
  };
  for (const entry of entries) {
    if (entry.kind.startsWith('result.')) {
      run.push(entry);
    } else {
      flush();
      items.push(timelineItem(entry, task));
    }
  }
  flush();
  return items;
}
