// @ts-check
// Formatting shared by every page: times in the reader's time zone,
// abbreviated hashes, and the labels of states, log entry kinds and counts.

import { h } from './dom.js';
import { getLang, has, t } from './i18n.js';

const pad = (n, width = 2) => String(n).padStart(width, '0');

/**
 * "2026-11-27 08:28:36" in the reader's time zone; null → ''.
 * @param {string | null | undefined} iso
 * @param {boolean} [withSeconds]
 * @returns {string}
 */
export function formatTime(iso, withSeconds = true) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${date} ${time}`;
}

/**
 * @param {string | null | undefined} iso
 */
export function formatDay(iso) {
  return formatTime(iso).slice(0, 10);
}

/** "UTC+8" for the reader's time zone. */
export function zoneLabel() {
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60)}` : ''}`;
}

/**
 * <time> with the reader's local time, the logged instant in its title.
 * @param {string | null | undefined} iso
 * @param {boolean} [dayOnly]
 */
export function timeEl(iso, dayOnly = false) {
  return h('time', { datetime: iso, title: iso }, dayOnly ? formatDay(iso) : formatTime(iso));
}

/**
 * @param {string | null | undefined} hex
 * @param {number} [n]
 */
export function shortHash(hex, n = 12) {
  return hex && hex.length > n ? `${hex.slice(0, n)}…` : hex || '';
}

/**
 * An abbreviated hash, the full one in its title and for copying.
 * @param {string} hex
 * @param {number} [n]
 */
export function hashEl(hex, n = 12) {
  return h('code', { class: 'hash', title: hex, 'data-full': hex }, shortHash(hex, n));
}

/**
 * A full digest, selectable in one go.
 * @param {string} hex
 * @param {string} [id]
 */
export function digestEl(hex, id) {
  return h('code', { class: 'digest', id }, hex);
}

/**
 * @param {string} state
 * @param {boolean} [short] the short form, for a sentence
 */
export function stateLabel(state, short = false) {
  const key = `state.${short ? 'short.' : ''}${String(state).replace(/-/g, '_')}`;
  return has(key) ? t(key) : state;
}

/**
 * @param {string} state
 * @param {string} [id]
 */
export function stateBadge(state, id) {
  return h('span', { class: 'state', id, 'data-state': state }, () => stateLabel(state));
}

/**
 * @param {string} kind a log entry kind
 */
export function kindLabel(kind) {
  const key = `kind.${kind}`;
  return has(key) ? t(key) : kind;
}

/**
 * @param {string[]} items
 */
export function list(items) {
  return getLang() === 'zh' ? items.join('、') : items.join(', ');
}

/**
 * @param {string[]} items
 */
export function listAnd(items) {
  if (getLang() === 'zh') return items.join('、');
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * @param {number | null | undefined} n
 */
export function countTargets(n) {
  return t('count.targets', { n });
}
