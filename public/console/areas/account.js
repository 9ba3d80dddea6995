// @ts-check
// Signing in, and the signed-in user's own account (changing the password).

import { h, tx } from '../../lib/dom.js';
import { addMessages, t } from '../../lib/i18n.js';
import { errorsOf, field, input, showErrors } from '../forms.js';
import en from '../i18n/en/account.js';
import zh from '../i18n/zh/account.js';
import { go } from '../router.js';
import { send, signIn, user } from '../session.js';

addMessages({ zh, en });

/** @type {import('../router.js').Route[]} */
export const routes = [
  { path: '/sign-in', roles: [], open: true, title: 'signin.h1', render: signInPage },
  { path: '/account', roles: ['admin', 'supervisor', 'inspector'], title: 'account.h1', render: accountPage },
];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [];

/**
 * The sign-in form.
 * @param {HTMLElement} main
 * @param {Record<string, string>} _params
 * @param {URLSearchParams} query
 */
function signInPage(main, _params, query) {
  if (user()) {
    go('#/');
    return;
  }
  const username = input('username', { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true });
  const password = input('password', { type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    { class: 'stack-form', novalidate: true, onsubmit: submit },
    field({ label: tx('signin.username'), control: username }),
    field({ label: tx('signin.password'), control: password }),
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'sign-in' }, tx('signin.button'))),
  );
  const notice = query.get('expired')
    ? h('p', { class: 'notice notice-info', role: 'status' }, tx('signin.expired'))
    : query.get('signed_out')
      ? h('p', { class: 'notice notice-info', role: 'status' }, tx('signin.signed_out'))
      : null;
  main.append(h('h1', {}, tx('signin.h1')), ...(notice ? [notice] : []), h('p', { class: 'lead' }, tx('signin.intro')), form);

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    /** @type {Array<[string, import('../forms.js').Message]>} */
    const missing = [];
    if (!username.value.trim()) missing.push(['username', tx('signin.username.missing')]);
    if (!password.value) missing.push(['password', tx('signin.password.missing')]);
    showErrors(/** @type {HTMLFormElement} */ (form), missing);
    if (missing.length) return;
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    try {
      await signIn(username.value.trim(), password.value);
      const next = query.get('next');
      go('#' + (next && next.startsWith('/') && !next.startsWith('/sign-in') ? next : '/'));
    } catch (error) {
      password.value = '';
      const message =
        error.code === 'bad_credentials'
          ? tx('signin.bad_credentials')
          : null;
      showErrors(/** @type {HTMLFormElement} */ (form), message ? [[null, message]] : errorsOf(error));
    } finally {
      button.disabled = false;
    }
  }
}

/** The account page: who you are, and a new password. */
function accountPage(/** @type {HTMLElement} */ main) {
  const me = /** @type {import('../session.js').User} */ (user());
  const current = input('current-password', { type: 'password', autocomplete: 'current-password' });
  const fresh = input('new-password', { type: 'password', autocomplete: 'new-password' });
  const again = input('new-password-again', { type: 'password', autocomplete: 'new-password' });
  const done = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'stack-form', novalidate: true, onsubmit: submit },
    field({ label: tx('account.current'), control: current }),
    field({ label: tx('account.new'), control: fresh, hint: tx('account.new.hint') }),
    field({ label: tx('account.again'), control: again }),
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit' }, tx('account.change'))),
  );
  main.append(
    h('h1', {}, tx('account.h1')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, tx('account.name')),
      h('dd', {}, me.name),
      h('dt', {}, tx('account.role')),
      h('dd', {}, () => t(`console.role.${me.role}`)),
      me.department ? [h('dt', {}, tx('account.department')), h('dd', {}, me.department)] : null,
      me.inspector_id ? [h('dt', {}, tx('account.inspector')), h('dd', {}, me.inspector_id)] : null,
    ),
    h('h2', {}, tx('account.password.h2')),
    done,
    form,
  );

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    done.replaceChildren();
    /** @type {Array<[string, import('../forms.js').Message]>} */
    const errors = [];
    if (!current.value) errors.push(['current-password', tx('account.current.missing')]);
    if (!fresh.value) errors.push(['new-password', tx('account.new.missing')]);
    else if (fresh.value !== again.value) errors.push(['new-password-again', tx('account.again.differs')]);
    showErrors(/** @type {HTMLFormElement} */ (form), errors);
    if (errors.length) return;
    try {
      await send('PUT', '/api/me/password', { current_password: current.value, new_password: fresh.value });
      for (const control of [current, fresh, again]) control.value = '';
      done.replaceChildren(h('p', { class: 'notice notice-info', role: 'status' }, tx('account.changed')));
    } catch (error) {
      showErrors(
        /** @type {HTMLFormElement} */ (form),
        errorsOf(error, { current_password: 'current-password', new_password: 'new-password' }),
      );
    }
  }
}
