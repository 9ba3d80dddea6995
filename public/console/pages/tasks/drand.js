// @ts-check
// A task committed to a drand round: the round, its time in Beijing and in
// UTC, a countdown to it, and once it is due the two ways to draw with it:
// the server fetches it from its relays, or a supervisor pastes the round's
// JSON as a relay gives it. The pasted JSON is read here first, so that a
// wrong paste is named before anything is sent; the server checks the
// round's signature either way.

import { h, tx } from '../../../lib/dom.js';
import { getLang, t } from '../../../lib/i18n.js';
import { get } from '../../session.js';
import { when } from './describe.js';
import { publishesList, stepSection } from './step.js';

/** @typedef {import('./data.js').TaskView} TaskView */
/**
 * @typedef {{chain: string, round: number, at: string, fetch_available: boolean, auto_draw: boolean}} DrandRound
 *   GET /api/tasks/{id}/drand
 */

/** The longest JSON a relay's answer for one round can be, with room to spare. */
const MAX_PASTE = 4096;

/** Whether the task's randomness is a drand round. @param {TaskView} task */
export function isDrand(task) {
  return task.definition.entropy.format === 'drand';
}

/** The round a committed drand task waits for. @param {TaskView} task @returns {Promise<DrandRound>} */
export function loadDrandRound(task) {
  return get(`/api/tasks/${task.id}/drand`);
}

/** A round's time in UTC, to the second. @param {string} at */
function utcWords(at) {
  return `${at.slice(0, 10)} ${at.slice(11, 19)} UTC`;
}

/**
 * A length of time in words, largest units first: "2 h 5 min", "45 s".
 * @param {number} millis
 */
export function durationWords(millis) {
  let seconds = Math.max(0, Math.ceil(millis / 1000));
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  /** @type {Array<[number, string]>} */
  const parts = [
    [days, 'tasks.drand.unit.d'],
    [hours, 'tasks.drand.unit.h'],
    [minutes, 'tasks.drand.unit.min'],
    [seconds, 'tasks.drand.unit.s'],
  ];
  const shown = parts.filter(([n]) => n > 0).slice(0, days ? 2 : 3);
  if (!shown.length) return t('tasks.drand.unit.s', { n: 0 });
  return shown.map(([n, key]) => t(key, { n })).join(getLang() === 'zh' ? '' : ' ');
}

/**
 * The round's facts, with a countdown that says "due" once the round's
 * time has come and then calls `onDue` once.
 * @param {DrandRound} round
 * @param {() => void} [onDue]
 */
export function drandFacts(round, onDue) {
  const dueAt = Date.parse(round.at);
  const countdown = h('span', { id: 'drand-countdown' });
  // Announced once when the round comes; the ticking itself is not read out.
  const status = h('p', { class: 'notice notice-info', id: 'drand-due', role: 'status', hidden: true });
  let fired = false;
  const tick = () => {
    const left = dueAt - Date.now();
    if (left > 0) {
      countdown.textContent = t('tasks.drand.dueIn', { time: durationWords(left) });
      return true;
    }
    countdown.textContent = t('tasks.drand.isDue');
    if (!fired) {
      fired = true;
      status.replaceChildren(h('span', {}, tx('tasks.drand.came', { round: round.round })));
      status.hidden = false;
      if (onDue) onDue();
    }
    return false;
  };
  tick();
  const timer = setInterval(() => {
    // Stops with the page: a countdown no longer on the page has no reader.
    if (!countdown.isConnected || !tick()) clearInterval(timer);
  }, 1000);
  return h(
    'section',
    { class: 'drand-round', id: 'drand-round', 'aria-labelledby': 'drand-round-h2' },
    h('h2', { id: 'drand-round-h2' }, tx('tasks.drand.h2')),
    h('p', {}, tx('tasks.drand.intro')),
    h(
      'dl',
      { class: 'facts facts-wide' },
      h('div', {}, h('dt', {}, tx('tasks.drand.round')), h('dd', { id: 'drand-round-number' }, String(round.round))),
      h('div', {}, h('dt', {}, tx('tasks.drand.time')), h('dd', { id: 'drand-time' }, () => t('tasks.drand.beijing', { time: when(round.at) }), h('br'), h('span', { id: 'drand-time-utc' }, utcWords(round.at)))),
      h('div', {}, h('dt', {}, tx('tasks.drand.when')), h('dd', {}, countdown)),
    ),
    round.auto_draw ? h('p', { class: 'hint', id: 'drand-auto' }, tx('tasks.drand.auto')) : null,
    status,
  );
}

/**
 * What a pasted round is: the body to send, or what is wrong with it.
 * @param {string} text
 * @param {number} committed the committed round
 * @returns {{body: {round: number, signature: string, randomness?: string}} | {problem: () => string}}
 */
export function readPastedRound(text, committed) {
  const trimmed = text.trim();
  if (!trimmed) return { problem: () => t('tasks.drand.paste.empty') };
  if (trimmed.length > MAX_PASTE) return { problem: () => t('tasks.drand.paste.long', { max: MAX_PASTE }) };
  let value;
  try {
    value = JSON.parse(trimmed);
  } catch (_) {
    return { problem: () => t('tasks.drand.paste.notJson') };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problem: () => t('tasks.drand.paste.notObject') };
  const round = value.round;
  if (!Number.isSafeInteger(round) || round < 1) return { problem: () => t('tasks.drand.paste.noRound') };
  if (round !== committed) return { problem: () => t('tasks.drand.paste.otherRound', { pasted: round, round: committed }) };
  const signature = value.signature;
  if (typeof signature !== 'string' || !/^[0-9a-f]{96}$/.test(signature)) return { problem: () => t('tasks.drand.paste.signature') };
  /** @type {{round: number, signature: string, randomness?: string}} */
  const body = { round, signature };
  if (value.randomness !== undefined) {
    if (typeof value.randomness !== 'string' || !/^[0-9a-f]{64}$/.test(value.randomness)) return { problem: () => t('tasks.drand.paste.randomness') };
    body.randomness = value.randomness;
  }
  return { body };
}

/** The server's fields of a drand round, all shown at the pasted JSON. */
const PASTE_FIELDS = { drand: 'drand-json', 'drand.round': 'drand-json', 'drand.signature': 'drand-json', 'drand.randomness': 'drand-json', 'drand.chain': 'drand-json', entropy: 'drand-json' };

/**
 * The draw of a drand task whose round is due: fetched by the server (when
 * it has relays), or pasted.
 * @param {TaskView} task
 * @param {DrandRound} round
 */
export function drandDrawSteps(task, round) {
  const publishes = publishesList('tasks.drand.publishes', ['tasks.drand.pub.round', 'tasks.draw.pub.digest', 'tasks.draw.pub.sealed', 'tasks.draw.pub.final']);
  const fetch = round.fetch_available
    ? stepSection({
        id: 'drand-fetch',
        task,
        heading: tx('tasks.drand.fetch.h2'),
        publishes: [h('p', {}, tx('tasks.drand.fetch.intro', { round: round.round })), publishes],
        confirm: tx('tasks.drand.fetch.confirm', { round: round.round }),
        button: tx('tasks.drand.fetch.button'),
        request: () => ({ path: `/api/tasks/${task.id}/draw`, body: { fetch_drand: true } }),
        done: 'drawn',
      })
    : h('p', { class: 'notice notice-info', id: 'drand-no-relays' }, tx('tasks.drand.noRelays'));
  const relay = `https://api.drand.sh/${round.chain}/public/${round.round}`;
  const pasted = h('textarea', {
    id: 'drand-json',
    name: 'drand-json',
    rows: 5,
    spellcheck: 'false',
    autocomplete: 'off',
    autocapitalize: 'none',
    class: 'drand-json',
    'aria-describedby': 'drand-json-hint drand-json-error',
  });
  const paste = stepSection({
    id: 'drand-paste',
    task,
    heading: tx(round.fetch_available ? 'tasks.drand.paste.h2.or' : 'tasks.drand.paste.h2'),
    publishes: round.fetch_available ? null : publishes,
    fields: h(
      'div',
      { class: 'field field-wide', dataset: { field: 'drand-json' } },
      h('label', { for: 'drand-json' }, tx('tasks.drand.paste.label', { round: round.round })),
      h('p', { class: 'hint', id: 'drand-json-hint' }, tx('tasks.drand.paste.hint'), ' ', h('code', { class: 'digest', id: 'drand-relay-url' }, relay)),
      h('p', { class: 'field-error', id: 'drand-json-error', hidden: true }),
      pasted,
    ),
    confirm: tx('tasks.drand.paste.confirm', { round: round.round }),
    button: tx('tasks.drand.paste.button'),
    check: () => {
      const read = readPastedRound(pasted.value, round.round);
      return 'problem' in read ? [['drand-json', read.problem]] : [];
    },
    request: () => {
      const read = readPastedRound(pasted.value, round.round);
      return { path: `/api/tasks/${task.id}/draw`, body: { drand: 'body' in read ? read.body : null } };
    },
    done: 'drawn',
    fieldIds: PASTE_FIELDS,
  });
  return h('div', { class: 'drand-draw', id: 'drand-draw' }, fetch, paste);
}
