// @ts-check
// Form parts in the way government services lay them out: a label, a hint
// and an error message per field, an error summary at the top of the form
// that links to each field in error, and buttons that say what they do.

import { fill, h, tx } from '../lib/dom.js';
import { getLang, has, t } from '../lib/i18n.js';

/**
 * An error's text: a string, or a function giving it in the current
 * language (a text, or nodes: see refusal()), evaluated again on every
 * language switch. Messages of the console's own are functions
 * (tx('key')), and so are the server's refusals (refusal(error)), so that
 * a form in error follows a switch.
 * @typedef {string | (() => import('../lib/dom.js').Child)} Message
 */

/**
 * A labelled field around `control` (an <input>, <select> or <textarea>
 * with an id). `hint` and the error message are tied to it by
 * aria-describedby.
 * @param {{label: string | (() => string), control: HTMLElement, hint?: string | (() => string), wide?: boolean}} parts
 */
export function field({ label, control, hint, wide }) {
  const id = control.id;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : null, errorId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  return h(
    'div',
    { class: wide ? 'field field-wide' : 'field', dataset: { field: id } },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
    control,
  );
}

/**
 * An input; `attrs` as for h().
 * @param {string} id
 * @param {Record<string, any>} [attrs]
 */
export function input(id, attrs = {}) {
  return h('input', { id, name: id, type: 'text', ...attrs });
}

/**
 * A <select> of `options` ([value, label] pairs; label may be a function).
 * @param {string} id
 * @param {Array<[string, string | (() => string)]>} options
 * @param {Record<string, any>} [attrs]
 */
export function select(id, options, attrs = {}) {
  return h(
    'select',
    { id, name: id, ...attrs },
    options.map(([value, label]) => h('option', { value }, label)),
  );
}

/**
 * Shows `errors` ([fieldId, message] pairs; fieldId null for the whole
 * form) in the form's summary and beside each field, and moves the focus to
 * the summary. An empty list clears them. The summary's heading and the
 * messages given as functions are drawn again on a language switch.
 * @param {HTMLFormElement} form
 * @param {Array<[string | null, Message]>} errors
 */
export function showErrors(form, errors) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.replaceChildren();
    el.setAttribute('hidden', '');
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  let summary = form.querySelector('.error-summary');
  if (!errors.length) {
    if (summary) summary.remove();
    return;
  }
  if (!summary) {
    summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
    form.prepend(summary);
  }
  summary.replaceChildren(
    h('h2', { class: 'error-summary-title' }, tx('console.errors.title')),
    h(
      'ul',
      {},
      errors.map(([id, message]) => {
        const control = id ? form.querySelector(`#${CSS.escape(id)}`) : null;
        if (control) {
          control.setAttribute('aria-invalid', 'true');
          const slot = form.querySelector(`#${CSS.escape(id + '-error')}`);
          if (slot) {
            fill(slot, message);
            slot.removeAttribute('hidden');
          }
          return h('li', {}, h('a', { href: `#${id}`, onclick: (/** @type {Event} */ e) => focusField(e, control) }, message));
        }
        return h('li', {}, message);
      }),
    ),
  );
  /** @type {HTMLElement} */ (summary).focus();
}

/** @param {Event} event @param {Element} control */
function focusField(event, control) {
  event.preventDefault();
  /** @type {HTMLElement} */ (control).focus();
}

/**
 * The errors to show for a refused request: the field the server named
 * (mapped to the form's control id by `fields`), or the whole form.
 * @param {import('../lib/api.js').ApiError} error
 * @param {Record<string, string>} [fields] server field name → control id
 * @returns {Array<[string | null, Message]>}
 */
export function errorsOf(error, fields = {}) {
  if (error.status === 0) return [[null, tx('console.error.network')]];
  const id = error.field ? fields[error.field] || null : null;
  return [[id, refusal(error)]];
}

/**
 * A refusal of the server in the current language. The server answers in
 * English only, with a stable code (public/console/i18n/{zh,en}/errors.js
 * hold a message for each): in Chinese the code's message is shown, and
 * under it the server's own words, which carry the specifics (the numbers,
 * names and lines at fault), marked as English; in English the server's
 * own words. A failed connection is the console's own message. `within`
 * is the key of a sentence the message is put in (as {message}, or the
 * variable `name`, with `vars`); `key` a more particular message for the
 * code, used in Chinese.
 * @param {{status: number, code: string, message: string}} error an ApiError
 * @param {{within?: string, vars?: Record<string, any>, name?: string, key?: string}} [how]
 * @returns {() => import('../lib/dom.js').Child}
 */
export function refusal(error, { within, vars = {}, name = 'message', key } = {}) {
  if (error.status === 0) return tx('console.error.network');
  const put = (/** @type {string} */ message) => (within ? t(within, { ...vars, [name]: message }) : message);
  return () => {
    const own = key && has(key) ? key : `refusal.${error.code}`;
    if (getLang() === 'en' || !has(own) || !error.message) return put(error.message || t(own));
    return [put(t(own)), serverWords(error.message)];
  };
}

/**
 * A refusal kept with a draft or a queued file (drafts.js, photo-queue.js:
 * `error`, the server's words, and `error_code`), shown as refusal() does;
 * one kept before codes were, as its words.
 * @param {{error?: string | null, error_code?: string | null}} kept
 * @param {{within?: string, vars?: Record<string, any>, name?: string}} [how]
 * @returns {() => import('../lib/dom.js').Child}
 */
export function keptRefusal(kept, how = {}) {
  const message = kept.error || '';
  if (kept.error_code) return refusal({ status: 422, code: kept.error_code, message }, how);
  const { within, vars = {}, name = 'message' } = how;
  return () => (within ? t(within, { ...vars, [name]: message }) : message);
}

/** The server's own words under a message given in Chinese. @param {string} message */
function serverWords(message) {
  return h('span', { class: 'server-words' }, t('console.error.original'), h('span', { lang: 'en' }, message));
}

/**
 * A confirmation panel (after a step: what happened and what comes next).
 * @param {string | (() => string)} title
 * @param {...any} body
 */
export function confirmation(title, ...body) {
  return h('div', { class: 'confirmation', role: 'status' }, h('h2', {}, title), ...body);
}
