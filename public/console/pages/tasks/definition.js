// @ts-check
// The task form read back as a TaskDefinition (the JSON the API takes),
// with the checks that can be made before sending it, each naming the
// control in error; and the server's field names (e.g. "filter.regions[0]",
// "quota_by_stratum.C.ratio") mapped to the form's controls.

import { tx } from '../../../lib/dom.js';
import { ticked } from './choices.js';
import { DRAND_SOURCE } from './entropy-format.js';

/**
 * @typedef {import('./data.js').TaskDefinition} TaskDefinition
 * @typedef {import('./data.js').QuotaRule} QuotaRule
 * @typedef {'about' | 'items' | 'pool' | 'strata' | 'inspectors' | 'entropy' | 'publication'} Part
 * @typedef {Array<[string | null, import('../../forms.js').Message]>} Errors
 */

/** The parts of the form, in order. */
/** @type {Part[]} */
export const PARTS = ['about', 'items', 'pool', 'strata', 'inspectors', 'entropy', 'publication'];

/** The parts that need nothing: a task may leave them as they are. */
export const OPTIONAL_PARTS = ['pool', 'publication'];

/** Whether `text` is a real day written YYYY-MM-DD. */
export function isDate(/** @type {string} */ text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The event time of a date and a Beijing time ("09:30" or "09:30:00"), or null. */
export function eventAt(/** @type {string} */ date, /** @type {string} */ time) {
  const match = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(time);
  if (!isDate(date) || !match) return null;
  return `${date}T${match[1]}:${match[2]}:${match[3] || '00'}+08:00`;
}

/**
 * A quota typed as `kind` ('ratio' or 'count') and `text`, or a message. A
 * stratum's own count may be 0 (none of it drawn, as a plan's batch asks
 * when a class's annual target is met); the default count is 1 or more.
 * @param {string} kind
 * @param {string} text
 * @param {number} [least] the smallest count
 * @returns {QuotaRule | (() => string)}
 */
export function quotaOf(kind, text, least = 1) {
  const value = text.trim();
  if (kind === 'count') {
    if (!/^\d{1,9}$/.test(value) || Number(value) < least) return tx(least ? 'tasks.check.count' : 'tasks.check.count.stratum');
    return { count: Number(value) };
  }
  const number = value.replace(/\s*[%％]$/, '');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(number) || Number(number) > 100 || Number(number) <= 0) return tx('tasks.check.ratio');
  return { ratio: `${number}%` };
}

/** @param {ParentNode} form @param {string} id */
function valueOf(form, id) {
  const control = /** @type {HTMLInputElement | null} */ (form.querySelector(`#${id}`));
  return control ? control.value.trim() : '';
}

/**
 * The entropy plan the form holds: a drand round fixed at the commitment,
 * or the public ceremony's format, source, length and time.
 * @param {HTMLFormElement} form
 * @param {(part: Part, id: string | null, message: import('../../forms.js').Message) => void} wrong
 * @param {(id: string) => string | null} first
 * @returns {import('./data.js').EntropyPlan}
 */
function readEntropy(form, wrong, first) {
  if (ticked(form, 'entropy-kind')[0] === 'drand') {
    const margin = valueOf(form, 'drand-margin');
    const minutes = Number(margin);
    // The server takes 60 s to 30 days (entropy.margin_seconds).
    if (!/^\d{1,5}$/.test(margin) || minutes < 1 || minutes > 43200) wrong('entropy', 'drand-margin', tx('tasks.check.margin'));
    return { format: 'drand', source: DRAND_SOURCE, min_length: 64, margin_seconds: (minutes || 10) * 60 };
  }
  const format = ticked(form, 'entropy-format')[0] || '';
  if (!format) wrong('entropy', first('entropy-format'), tx('tasks.check.format'));
  const source = valueOf(form, 'entropy-source');
  if (!source) wrong('entropy', 'entropy-source', tx('tasks.check.source'));
  const min = valueOf(form, 'entropy-min');
  if (!/^\d{1,4}$/.test(min) || Number(min) < 10) wrong('entropy', 'entropy-min', tx('tasks.check.min'));
  const eventDate = valueOf(form, 'event-date');
  const eventTime = valueOf(form, 'event-time');
  const event = eventAt(eventDate, eventTime);
  if (!isDate(eventDate)) wrong('entropy', 'event-date', tx('tasks.check.date'));
  else if (!event) wrong('entropy', 'event-time', tx('tasks.check.time'));
  return { format, source, min_length: Number(min) || 20, event_at: event || `${eventDate}T${eventTime}` };
}

/**
 * The definition the form holds, what is wrong with it, and which parts are done.
 * @param {HTMLFormElement} form
 * @param {string} lead the caller's department
 * @returns {{definition: TaskDefinition, errors: Errors, done: Record<Part, boolean>}}
 */
export function readForm(form, lead) {
  /** @type {Errors} */
  const errors = [];
  /** @type {Record<Part, boolean>} */
  const done = { about: true, items: true, pool: true, strata: true, inspectors: true, entropy: true, publication: true };
  /** @param {Part} part @param {string | null} id @param {import('../../forms.js').Message} message */
  const wrong = (part, id, message) => {
    errors.push([id, message]);
    done[part] = false;
  };
  /** @param {string} id */
  const first = (id) => (form.querySelector(`#${id}-0`) ? `${id}-0` : null);

  const name = valueOf(form, 'task-name');
  if (!name) wrong('about', 'task-name', tx('tasks.check.name'));

  const joint = ticked(form, 'joint');
  const items = ticked(form, 'items');
  if (!items.length) wrong('items', first('items'), tx('tasks.check.items'));

  const within = valueOf(form, 'inspected-within');
  if (within && !/^\d{1,5}$/.test(within)) wrong('pool', 'inspected-within', tx('tasks.check.within'));

  const kind = ticked(form, 'quota-kind')[0] || 'ratio';
  /** @type {QuotaRule | null} */
  let quota = null;
  if (kind !== 'none') {
    const parsed = quotaOf(kind, valueOf(form, 'quota-value'));
    if (typeof parsed === 'function') wrong('strata', 'quota-value', parsed);
    else quota = parsed;
  }
  /** @type {Record<string, QuotaRule>} */
  const byStratum = {};
  for (const row of form.querySelectorAll('.stratum-row')) {
    const number = /** @type {HTMLElement} */ (row).dataset.row;
    const key = valueOf(form, `stratum-key-${number}`);
    const rowKind = valueOf(form, `stratum-kind-${number}`) || 'ratio';
    if (!key) {
      wrong('strata', `stratum-key-${number}`, tx('tasks.check.stratum.key'));
      continue;
    }
    if (key in byStratum) {
      wrong('strata', `stratum-key-${number}`, tx('tasks.check.stratum.twice', { key }));
      continue;
    }
    const parsed = quotaOf(rowKind, valueOf(form, `stratum-value-${number}`), 0);
    if (typeof parsed === 'function') wrong('strata', `stratum-value-${number}`, () => `${key}: ${parsed()}`);
    else byStratum[key] = parsed;
  }
  if (kind === 'none' && !Object.keys(byStratum).length) wrong('strata', 'add-stratum-quota', tx('tasks.check.noquota'));

  const perTarget = valueOf(form, 'per-target');
  if (!/^\d{1,3}$/.test(perTarget) || Number(perTarget) < 2 || Number(perTarget) > 100) {
    wrong('inspectors', 'per-target', tx('tasks.check.perTarget'));
  }
  const certificate = valueOf(form, 'certificate-date');
  if (!isDate(certificate)) wrong('inspectors', 'certificate-date', tx('tasks.check.date'));

  const entropy = readEntropy(form, wrong, first);

  const batch = valueOf(form, 'plan-batch');
  if (batch && !/^[1-9]\d{0,3}$/.test(batch)) wrong('about', 'plan-batch', tx('tasks.check.batch'));

  const embargo = valueOf(form, 'embargo-until');
  if (embargo && !isDate(embargo)) wrong('publication', 'embargo-until', tx('tasks.check.date'));

  /** @type {TaskDefinition} */
  const definition = {
    name,
    items,
    departments: joint.length ? [lead, ...joint].sort() : [],
    filter: {
      regions: ticked(form, 'regions'),
      industries: ticked(form, 'industries'),
      risk_classes: ticked(form, 'classes'),
      exclude_flags: ticked(form, 'flags'),
      exclude_inspected_within_days: within && /^\d+$/.test(within) ? Number(within) : null,
    },
    strata_by: ticked(form, 'strata'),
    quota,
    quota_by_stratum: byStratum,
    inspectors_per_target: Number(perTarget) || 2,
    cross: ticked(form, 'cross'),
    balance: /** @type {HTMLInputElement} */ (form.querySelector('#balance')).checked,
    certificate_date: certificate,
    entropy,
    embargo_until: embargo || null,
  };
  if (batch && /^\d+$/.test(batch)) definition.plan_batch = Number(batch);
  for (const [key, id] of /** @type {const} */ ([
    ['plan_id', 'plan-id'],
    ['plan_name', 'plan-name'],
    ['inspection_type', 'inspection-type'],
    ['authority', 'authority'],
  ])) {
    const value = valueOf(form, id);
    if (value) definition[key] = value;
  }
  return { definition, errors, done };
}

/**
 * The form control a server error's field names, or null for the whole form.
 * @param {HTMLFormElement} form
 * @param {string | null} field
 * @returns {string | null}
 */
export function controlOf(form, field) {
  if (!field) return null;
  const exists = (/** @type {string} */ id) => (form.querySelector(`#${CSS.escape(id)}`) ? id : null);
  const stratum = /^quota_by_stratum\.(.+?)(\.ratio)?$/.exec(field);
  if (stratum) {
    for (const row of form.querySelectorAll('.stratum-row')) {
      const number = /** @type {HTMLElement} */ (row).dataset.row;
      if (valueOf(form, `stratum-key-${number}`) === stratum[1]) return `stratum-value-${number}`;
    }
    return exists('add-stratum-quota');
  }
  /** @type {Array<[RegExp, string[]]>} */
  const map = [
    [/^name$/, ['task-name']],
    [/^plan_id$/, ['plan-id']],
    [/^plan_name$/, ['plan-name']],
    [/^plan_batch$/, ['plan-batch']],
    [/^inspection_type$/, ['inspection-type']],
    [/^authority$/, ['authority']],
    [/^items/, ['items-0']],
    [/^departments/, ['joint-0', 'items-0']],
    [/^filter\.regions/, ['regions-0']],
    [/^filter\.industries/, ['industries-0']],
    [/^filter\.risk_classes/, ['classes-0']],
    [/^filter\.exclude_flags/, ['flags-0']],
    [/^filter/, ['regions-0', 'inspected-within']],
    [/^strata_by/, ['strata-0']],
    [/^quota_by_stratum/, ['add-stratum-quota']],
    [/^quota/, ['quota-value']],
    [/^inspectors_per_target/, ['per-target']],
    [/^cross/, ['cross-0']],
    [/^certificate_date/, ['certificate-date']],
    [/^entropy\.format/, ['entropy-format-0']],
    [/^entropy\.source/, ['entropy-source']],
    [/^entropy\.min_length/, ['entropy-min']],
    [/^entropy\.margin_seconds/, ['drand-margin']],
    [/^entropy/, ['event-date']],
    [/^embargo_until/, ['embargo-until']],
  ];
  for (const [pattern, ids] of map) {
    if (pattern.test(field)) return ids.map(exists).find(Boolean) || null;
  }
  return null;
}

/**
 * The part of the form a server error's field belongs to (for "change" links).
 * @param {string | null} field
 * @returns {Part | null}
 */
export function partOf(field) {
  if (!field) return null;
  if (/^(name|plan_)/.test(field)) return 'about';
  if (/^(items|departments)/.test(field)) return 'items';
  if (/^filter/.test(field)) return 'pool';
  if (/^(strata_by|quota)/.test(field)) return 'strata';
  if (/^(inspectors_per_target|cross|balance|certificate_date)/.test(field)) return 'inspectors';
  if (/^entropy/.test(field)) return 'entropy';
  if (/^(embargo_until|inspection_type|authority)/.test(field)) return 'publication';
  return null;
}
