// @ts-check
// One staff account (#/admin/accounts/ID): its role, department and
// inspector id; disabling or enabling it (disabling ends its sessions);
// a new password; and a new API token, shown once.

import { fill, h, tx } from '../../lib/dom.js';
import { errorsOf, field, input, refusal, showErrors } from '../forms.js';
import { get, send, user } from '../session.js';
import { localTime, statusLine } from './data-table.js';
import { departmentSelect, roleChoice, tokenOnce } from './admin-accounts.js';
import { adminHeading, backLink, departmentName, departments } from './admin-layout.js';

/** @typedef {import('./admin-accounts.js').Account} Account */

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 */
export async function accountPage(main, params) {
  const id = Number(params.id);
  const [accounts, known] = await Promise.all([get('/api/users'), departments()]);
  /** @type {Account | undefined} */
  const account = accounts.find((/** @type {Account} */ a) => a.id === id);
  if (!account) {
    adminHeading(main, 'accounts', tx('admin.account.missing.h1'));
    main.append(h('p', {}, tx('admin.account.missing')), backLink('#/admin/accounts', 'admin.back.accounts'));
    return;
  }
  const status = statusLine();
  status.id = 'account-status';
  adminHeading(main, 'accounts', tx('admin.account.h1', { name: account.name }));
  main.append(
    backLink('#/admin/accounts', 'admin.back.accounts'),
    status,
    h(
      'dl',
      { class: 'facts', id: 'account-facts' },
      fact('admin.accounts.col.role', tx(`console.role.${account.role}`)),
      fact('admin.accounts.col.department', () => departmentName(known, account.department)),
      fact('admin.accounts.col.inspector', account.inspector_id || '—'),
      fact(
        'admin.accounts.col.status',
        h('span', { id: 'account-state' }, tx(account.disabled ? 'admin.accounts.disabled' : 'admin.accounts.enabled')),
      ),
      fact('admin.accounts.col.password', tx(account.has_password ? 'admin.accounts.password.set' : 'admin.accounts.password.none')),
      fact('admin.accounts.col.created', localTime(account.created_at)),
    ),
    changeForm(account, known, status),
    disablePart(account, status),
    passwordForm(account, status),
    tokenPart(account),
  );
}

/** @param {string} label @param {import('../../lib/dom.js').Child} value */
function fact(label, value) {
  return h('div', {}, h('dt', {}, tx(label)), h('dd', {}, value));
}

/** Says what happened, and moves the focus there so it is heard. */
function report(/** @type {HTMLElement} */ status, /** @type {string} */ key, /** @type {Record<string, any>} */ vars = {}) {
  status.replaceChildren(h('p', { class: 'notice notice-info', tabindex: '-1' }, tx(key, vars)));
  /** @type {HTMLElement} */ (status.firstChild).focus();
}

/**
 * Role, department and inspector id.
 * @param {Account} account
 * @param {import('./admin-layout.js').Department[]} known
 * @param {HTMLElement} status
 */
function changeForm(account, known, status) {
  const department = departmentSelect('edit-department', known, account.department);
  const inspector = input('edit-inspector', { value: account.inspector_id || '', autocomplete: 'off' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit, 'aria-labelledby': 'edit-h2' },
      h('h2', { id: 'edit-h2' }, tx('admin.account.edit.h2')),
      roleChoice('edit-role', account.role),
      field({ label: tx('admin.account.department'), hint: tx('admin.account.department.hint'), control: department }),
      field({ label: tx('admin.account.inspector'), hint: tx('admin.account.inspector.hint'), control: inspector }),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'account-save' }, tx('admin.account.edit.button'))),
    )
  );
  return form;

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const role = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="edit-role"]:checked'))?.value;
    try {
      await send('PATCH', `/api/users/${account.id}`, {
        role,
        department: department.value || null,
        inspector_id: inspector.value.trim() || null,
      });
      showErrors(form, []);
      report(status, 'admin.account.saved', { name: account.name });
    } catch (error) {
      showErrors(
        form,
        errorsOf(error, { role: 'edit-role-supervisor', department: 'edit-department', inspector_id: 'edit-inspector' }),
      );
    }
  }
}

/** Disabling (which ends the account's sessions) or enabling again. */
function disablePart(/** @type {Account} */ account, /** @type {HTMLElement} */ status) {
  const self = user()?.id === account.id;
  const section = h('section', { 'aria-labelledby': 'disable-h2' });
  draw();
  return section;

  function draw() {
    const disabled = !!account.disabled;
    fill(section,
      h('h2', { id: 'disable-h2' }, tx(disabled ? 'admin.account.enable.h2' : 'admin.account.disable.h2')),
      h('p', {}, tx(disabled ? 'admin.account.enable.text' : 'admin.account.disable.text')),
      self && !disabled ? h('p', { class: 'notice notice-warn' }, tx('admin.account.disable.self')) : null,
      h(
        'button',
        { type: 'button', id: disabled ? 'account-enable' : 'account-disable', class: disabled ? null : 'danger', onclick: toggle },
        tx(disabled ? 'admin.account.enable.button' : 'admin.account.disable.button', { name: account.name }),
      ),
    );
  }

  async function toggle() {
    const disabled = !account.disabled;
    try {
      const changed = await send('PATCH', `/api/users/${account.id}`, { disabled });
      account.disabled = changed && typeof changed.disabled === 'boolean' ? changed.disabled : disabled;
      const state = document.getElementById('account-state');
      if (state) state.replaceChildren(h('span', {}, tx(account.disabled ? 'admin.accounts.disabled' : 'admin.accounts.enabled')));
      draw();
      report(status, account.disabled ? 'admin.account.disabled' : 'admin.account.enabled', { name: account.name });
    } catch (error) {
      status.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, refusal(error)));
    }
  }
}

/** A new password set by the admin (which ends the account's sessions). */
function passwordForm(/** @type {Account} */ account, /** @type {HTMLElement} */ status) {
  const password = input('reset-password', { type: 'password', autocomplete: 'new-password' });
  const again = input('reset-password-again', { type: 'password', autocomplete: 'new-password' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit, 'aria-labelledby': 'reset-h2' },
      h('h2', { id: 'reset-h2' }, tx('admin.account.reset.h2')),
      h('p', {}, tx('admin.account.reset.text')),
      field({ label: tx('admin.account.password'), hint: tx('admin.account.password.hint'), control: password }),
      field({ label: tx('admin.account.password.again'), control: again }),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'account-reset' }, tx('admin.account.reset.button'))),
    )
  );
  return form;

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    /** @type {Array<[string, import('../forms.js').Message]>} */
    const errors = [];
    if (!password.value) errors.push(['reset-password', tx('admin.account.password.missing')]);
    else if (password.value !== again.value) errors.push(['reset-password-again', tx('admin.account.password.differs')]);
    showErrors(form, errors);
    if (errors.length) return;
    try {
      await send('PUT', `/api/users/${account.id}/password`, { password: password.value });
      password.value = '';
      again.value = '';
      report(status, 'admin.account.reset.done', { name: account.name });
    } catch (error) {
      showErrors(form, errorsOf(error, { password: 'reset-password' }));
    }
  }
}

/** A new API token: the old one stops working; the new one is shown once. */
function tokenPart(/** @type {Account} */ account) {
  const section = h('section', { 'aria-labelledby': 'token-h2' });
  const result = h('div', { 'aria-live': 'polite' });
  const ask = h('button', { type: 'button', id: 'token-rotate', onclick: confirmStep }, tx('admin.account.token.button'));
  section.append(
    h('h2', { id: 'token-h2' }, tx('admin.account.token.h2')),
    h('p', {}, tx('admin.account.token.text')),
    ask,
    result,
  );
  return section;

  /** The rotation cannot be undone: say what it does, and ask again. */
  function confirmStep() {
    ask.hidden = true;
    result.replaceChildren(
      h(
        'div',
        { class: 'notice notice-warn', id: 'token-confirm' },
        h('p', { tabindex: '-1', id: 'token-confirm-text' }, tx('admin.account.token.confirm', { name: account.name })),
        h('button', { type: 'button', class: 'danger primary', id: 'token-rotate-yes', onclick: rotate }, tx('admin.account.token.yes')),
        ' ',
        h('button', { type: 'button', onclick: cancel }, tx('admin.account.token.cancel')),
      ),
    );
    /** @type {HTMLElement} */ (result.querySelector('#token-confirm-text')).focus();
  }

  function cancel() {
    result.replaceChildren();
    ask.hidden = false;
    ask.focus();
  }

  async function rotate() {
    try {
      const token = await send('POST', `/api/users/${account.id}/token`);
      result.replaceChildren(tokenOnce(String(token)));
      /** @type {HTMLElement} */ (result.querySelector('h2')).setAttribute('tabindex', '-1');
      /** @type {HTMLElement} */ (result.querySelector('h2')).focus();
    } catch (error) {
      result.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, refusal(error)));
      ask.hidden = false;
    }
  }
}
