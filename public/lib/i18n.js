// @ts-check
// The site's and the console's languages (zh, en). Pages register their
// message tables with addMessages(); t(key, vars) reads the current
// language's, falling back to English, then to the key itself. Static HTML
// marks its texts with data-i18n="key" (text) and
// data-i18n-attr="attr:key;attr:key"; long prose is written in both
// languages side by side (data-lang="en" / data-lang="zh") and the style
// sheet shows the current one, keyed on <html lang>.
//
// This module imports nothing, so that every other module may import it.

/** @typedef {'zh' | 'en'} Lang */
/** @typedef {string | ((vars: Record<string, any>) => string)} Message */
/** @typedef {Record<string, Message>} MessageTable */

const STORAGE_KEY = 'opendraw.lang';
const LANGS = { zh: 'zh-CN', en: 'en' };

/** @type {Record<Lang, MessageTable>} */
const MESSAGES = { zh: {}, en: {} };

/** @returns {Lang} */
function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'zh' || saved === 'en') return saved;
  } catch (_) {
    /* storage may be disabled */
  }
  if (typeof navigator === 'undefined') return 'en';
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || '';
  return nav.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** @type {Lang} */
let lang = initialLang();
/** @type {Array<(lang: Lang) => void>} */
const listeners = [];

/** Adds messages to both languages' tables (later additions win). */
export function addMessages(/** @type {{zh: MessageTable, en: MessageTable}} */ tables) {
  Object.assign(MESSAGES.zh, tables.zh);
  Object.assign(MESSAGES.en, tables.en);
}

/** @returns {Lang} */
export function getLang() {
  return lang;
}

/**
 * The message `key` in the current language, with {name} replaced from `vars`.
 * @param {string} key
 * @param {Record<string, any>} [vars]
 * @returns {string}
 */
export function t(key, vars = {}) {
  let message = MESSAGES[lang][key];
  if (message === undefined) message = MESSAGES.en[key];
  if (message === undefined) return key;
  if (typeof message === 'function') return message(vars);
  return message.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** @param {string} key */
export function has(key) {
  return key in MESSAGES[lang] || key in MESSAGES.en;
}

/**
 * Picks the current language's value of {en, zh}.
 * @template T
 * @param {{en: T, zh?: T}} both
 * @returns {T}
 */
export function pick(both) {
  return both[lang] ?? both.en;
}

/** Calls `fn` after every language switch. */
export function onLangChange(/** @type {(lang: Lang) => void} */ fn) {
  listeners.push(fn);
}

/** @param {string} next */
export function setLang(next) {
  if (next !== 'zh' && next !== 'en') return;
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch (_) {
    /* not remembered, still switched */
  }
  applyLang();
}

/** Sets <html lang> and the static texts of the document to the current language. */
export function applyStatic() {
  document.documentElement.lang = LANGS[lang];
  translateStatic(document);
}

function applyLang() {
  applyStatic();
  for (const fn of listeners) fn(lang);
}

/** @param {ParentNode} root */
export function translateStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n || '');
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of (/** @type {HTMLElement} */ (el).dataset.i18nAttr || '').split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}
