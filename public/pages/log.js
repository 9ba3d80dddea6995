// @ts-check
// The public log page: the hash chain a page at a time, the check of the
// whole chain in the browser (verify.js), and the watch over the log's
// signed head (log-checkpoint.js).

import { api } from '../lib/api.js';
import { $, fill, h, tx } from '../lib/dom.js';
import { hashEl, kindLabel, timeEl, zoneLabel } from '../lib/format.js';
import { getLang, onLangChange, t } from '../lib/i18n.js';
import { errorBox, setTitle } from '../lib/page.js';
import { watchCheckpoint } from './log-checkpoint.js';
import { stackTable } from '../lib/stack-table.js';

const PAGE_SIZE = 50;

/**
 * The second implementation of the protocol, loaded only when asked for.
 * Held in a variable so that the type check leaves it out: verify.js is
 * checked against the protocol's test vectors instead (tests/js/).
 * @type {string}
 */
const VERIFIER = '../verify.js';

/**
 * The entries as a table, each row an entry: its task linked when the task
 * is public, its whole payload behind a disclosure.
 * @param {import('../lib/types.js').LogEntry[]} entries
 * @param {Map<number, import('../lib/types.js').PublicTask>} publicTasks
 */
function logTable(entries, publicTasks) {
  /** @param {import('../lib/types.js').LogEntry} entry @returns {import('../lib/dom.js').Child} */
  const taskCell = (entry) => {
    if (entry.task === null || entry.task === undefined) return '—';
    const known = publicTasks.get(entry.task);
    return known
      ? [h('a', { href: `task.html?id=${entry.task}` }, tx('log.task', { id: entry.task })), h('span', { class: 'log-task-name' }, known.name)]
      : h('span', { class: 'muted' }, tx('log.task.unpublished', { id: entry.task }));
  };
  return stackTable({
    id: 'log-table',
    class: 'log-table',
    caption: 'log.caption',
    captionHidden: true,
    columns: [
      { label: 'log.col.seq', header: true, num: true, cell: (entry) => String(entry.seq) },
      { label: 'log.col.time', cell: (entry) => timeEl(entry.at) },
      {
        label: 'log.col.kind',
        cell: (entry) => [
          h('span', { class: 'kind' }, () => kindLabel(entry.kind)),
          h('details', { class: 'entry-details' }, h('summary', {}, tx('log.payload')), h('pre', { lang: 'en' }, JSON.stringify(entry, null, 2))),
        ],
      },
      { label: 'log.col.task', cell: taskCell },
      { label: 'log.col.actor', cell: (entry) => entry.actor },
      { label: 'log.col.hash', cell: (entry) => hashEl(entry.hash) },
    ],
    rows: entries,
    rowAttrs: (entry) => ({ id: `seq-${entry.seq}`, 'data-seq': String(entry.seq), 'data-kind': entry.kind }),
  });
}

/**
 * @param {string} key
 * @param {number | null} after
 * @param {number | null} current
 */
function pageLink(key, after, current) {
  if (after === null || after === current) {
    return h('span', { class: 'page-link disabled', 'aria-disabled': 'true' }, tx(key));
  }
  return h('a', { class: 'page-link', href: `log.html?after=${after}` }, tx(key));
}

/**
 * @param {(fetched: number, total: number) => void} onProgress
 * @returns {Promise<import('../lib/types.js').LogEntry[]>}
 */
async function fetchWholeLog(onProgress) {
  const entries = [];
  let after = 0;
  let headSeq = 0;
  for (;;) {
    const page = await api(`/api/public/log?after=${after}&limit=1000`);
    headSeq = page.head ? page.head.seq : headSeq;
    entries.push(...page.entries);
    onProgress(entries.length, headSeq);
    if (page.entries.length < 1000) break;
    after = page.entries[page.entries.length - 1].seq;
  }
  return entries;
}

function setupLogVerify() {
  const button = $('#log-verify-button');
  const result = $('#log-verify-result');
  if (!button) return;
  let statusFn = null;
  onLangChange(() => {
    if (statusFn) fill(result, statusFn());
  });
  const render = (fn) => {
    statusFn = fn;
    fill(result, fn());
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.removeAttribute('data-passed');
    result.className = 'verdict';
    result.setAttribute('aria-busy', 'true');
    let entries;
    try {
      render(() => h('p', {}, t('log.verify.fetching', { n: 0, total: '…' })));
      entries = await fetchWholeLog((n, total) => render(() => h('p', {}, t('log.verify.fetching', { n, total }))));
      render(() => h('p', {}, t('log.verify.checking', { n: entries.length })));
      const { verifyLog } = /** @type {{verifyLog: (entries: any[]) => Promise<any>}} */ (await import(VERIFIER));
      const outcome = await verifyLog(entries);
      let serverHead = null;
      try {
        serverHead = await api('/api/public/log/head');
      } catch (_) {
        /* compared only when available */
      }
      const headHash = outcome.head && typeof outcome.head === 'object' ? outcome.head.hash : outcome.head;
      const passed = outcome.passed === true;
      const problems = outcome.problems || [];
      const open = outcome.open || [];
      result.className = `verdict ${passed ? 'verdict-ok' : 'verdict-bad'}`;
      render(() => [
        h('p', { class: 'verdict-line' }, passed ? t('log.verify.ok', { n: entries.length }) : t('log.verify.bad', { count: problems.length })),
        problems.length ? h('ol', { class: 'problems', lang: 'en' }, problems.map((p) => h('li', {}, p))) : null,
        headHash
          ? h(
              'p',
              {},
              t('log.verify.head', { hash: '' }),
              h('code', { class: 'digest' }, headHash),
              serverHead ? [' ', serverHead.hash === headHash ? t('log.verify.headMatch') : t('log.verify.headNew')] : null,
            )
          : null,
        open.length
          ? h(
              'p',
              {},
              t('log.verify.open'),
              ' ',
              open.map((id, i) => [i ? (getLang() === 'zh' ? '、' : ', ') : '', h('a', { href: `task.html?id=${id}` }, String(id))]),
            )
          : h('p', {}, t('log.verify.noOpen')),
      ]);
      result.dataset.passed = passed ? 'true' : 'false';
    } catch (error) {
      result.className = 'verdict verdict-error';
      const message = error && error.message ? error.message : String(error);
      render(() => h('p', { role: 'alert' }, t('log.verify.error', { message })));
      result.dataset.passed = 'false';
    } finally {
      result.removeAttribute('aria-busy');
      button.disabled = false;
    }
  });
}

export async function pageLog() {
  setTitle(() => t('title.log'));
  setupLogVerify();
  const checkpointBox = $('#log-checkpoint');
  if (checkpointBox) watchCheckpoint(checkpointBox);
  const params = new URLSearchParams(location.search);
  const raw = params.get('after');
  let after = raw && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : 0;
  const headBox = $('#log-head');
  const container = $('#log-entries');
  const pager = $('#log-pages');
  container.setAttribute('aria-busy', 'true');
  let page;
  let publicTasks = new Map();
  try {
    const [logPage, tasks] = await Promise.all([
      api(`/api/public/log?after=${after}&limit=${PAGE_SIZE}`),
      api('/api/public/tasks').catch(() => []),
    ]);
    page = logPage;
    publicTasks = new Map(tasks.map((task) => [task.id, task]));
  } catch (error) {
    container.replaceChildren(errorBox(error));
    container.removeAttribute('aria-busy');
    return;
  }
  const head = page.head || (await api('/api/public/log/head'));
  headBox.dataset.seq = String(head.seq);
  headBox.dataset.hash = head.hash;
  headBox.replaceChildren(
    head.seq
      ? h('p', {}, tx('log.head', { seq: head.seq }), ' ', h('code', { class: 'digest', id: 'log-head-hash' }, head.hash))
      : h('p', {}, tx('log.head.empty')),
  );
  const entries = page.entries;
  const total = head.seq;
  const nodes = [];
  if (entries.length) {
    const from = entries[0].seq;
    const to = entries[entries.length - 1].seq;
    nodes.push(h('p', { class: 'muted' }, tx('log.entries', { from, to, total }), ' ', () => t('time.note', { zone: zoneLabel() })));
    nodes.push(logTable(entries, publicTasks));
  } else {
    nodes.push(h('p', {}, tx('log.entries.none')));
  }
  container.replaceChildren(...nodes);
  container.removeAttribute('aria-busy');

  const lastAfter = Math.max(0, total - PAGE_SIZE);
  const prev = after > 0 ? Math.max(0, after - PAGE_SIZE) : null;
  const next = entries.length && entries[entries.length - 1].seq < total ? entries[entries.length - 1].seq : null;
  pager.replaceChildren(
    pageLink('log.first', after > 0 ? 0 : null, null),
    pageLink('log.prev', prev, null),
    pageLink('log.next', next, null),
    pageLink('log.last', after < lastAfter ? lastAfter : null, null),
  );
  pager.hidden = !pager.querySelector('a');
  if (location.hash) {
    const target = document.getElementById(location.hash.slice(1));
    if (target) {
      target.classList.add('highlight');
      target.scrollIntoView({ block: 'center' });
    }
  }
}
