// @ts-check
// Staff accounts (#/admin/accounts): the list, and creating an account with
// a password (#/admin/accounts/new).

import { h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { confirmation, errorsOf, field, input, select, showErrors } from '../forms.js';
import { get, send } from '../session.js';
import { dataTable, localTime } from './data-table.js';
import { adminHeading, backLink, departmentName, departments } from './admin-layout.js';

/**
 * @typedef {{id: number, name: string, role: 'admin' | 'supervisor' | 'inspector',
 *   department: string | null, inspector_id: string | null, disabled?: boolean,
 *   has_password?: boolean, created_at?: string}} Account
 */

/** The list of accounts. */
export async function accountsPage(/** @type {HTMLElement} */ main) {
  adminHeading(main, 'accounts', tx('admin.accounts.h1'));
  const [accounts, known] = await Promise.all([get('/api/users'), departments()]);
  main.append(
    h('p', { class: 'lead' }, tx('admin.accounts.intro')),
    h('p', {}, h('a', { href: '#/admin/accounts/new', class: 'button-link', id: 'account-new' }, tx('admin.accounts.new'))),
    dataTable({
      caption: () => t('admin.accounts.caption', { count: accounts.length }),
      empty: 'admin.accounts.empty',
      id: 'accounts',
      rows: /** @type {Account[]} */ (accounts),
      columns: [
        {
          label: 'admin.accounts.col.name',
          header: true,
          cell: (row) => h('a', { href: `#/admin/accounts/${row.id}`, dataset: { account: row.name } }, row.name),
        },
        { label: 'admin.accounts.col.role', cell: (row) => tx(`console.role.${row.role}`) },
        { label: 'admin.accounts.col.department', cell: (row) => () => departmentName(known, row.department) },
        { label: 'admin.accounts.col.inspector', cell: (row) => row.inspector_id || '' },
        {
          label: 'admin.accounts.col.status',
          cell: (row) =>
            h('span', { class: row.disabled ? 'status-off' : 'status-on' }, tx(row.disabled ? 'admin.accounts.disabled' : 'admin.accounts.enabled')),
        },
        {
          label: 'admin.accounts.col.password',
          cell: (row) => tx(row.has_password ? 'admin.accounts.password.set' : 'admin.accounts.password.none'),
        },
        { label: 'admin.accounts.col.created', cell: (row) => localTime(row.created_at) },
      ],
    }),
  );
}

/** The role choice: one radio per role, in a fieldset. */
export function roleChoice(/** @type {string} */ name, /** @type {string} */ chosen) {
  return h(
    'fieldset',
    { class: 'field', id: `${name}-group` },
    h('legend', {}, tx('admin.account.role')),
    h('p', { class: 'field-error', id: `${name}-error`, hidden: true }),
    ['supervisor', 'inspector', 'admin'].map((role) =>
      h(
        'div',
        { class: 'choice' },
        h('input', { type: 'radio', name, id: `${name}-${role}`, value: role, checked: role === chosen, 'aria-describedby': `${name}-${role}-hint` }),
        h('label', { for: `${name}-${role}` }, tx(`console.role.${role}`)),
        h('p', { class: 'hint', id: `${name}-${role}-hint` }, tx(`admin.account.role.${role}.hint`)),
      ),
    ),
  );
}

/**
 * A department select: none, or one of those known; a text field for the
 * code when none is known (the list could not be had).
 * @param {string} id
 * @param {import('./admin-layout.js').Department[]} known
 * @param {string | null} chosen
 * @returns {HTMLSelectElement | HTMLInputElement}
 */
export function departmentSelect(id, known, chosen) {
  if (!known.length) return /** @type {HTMLInputElement} */ (input(id, { value: chosen || '', autocomplete: 'off' }));
  /** @type {Array<[string, string | (() => string)]>} */
  const options = [['', () => t('admin.account.department.none')]];
  for (const department of known) options.push([department.code, () => departmentName(known, department.code)]);
  if (chosen && !known.some((d) => d.code === chosen)) options.push([chosen, chosen]);
  const control = /** @type {HTMLSelectElement} */ (select(id, options));
  control.value = chosen || '';
  return control;
}

/** Creating an account. */
export async function newAccountPage(/** @type {HTMLElement} */ main) {
  adminHeading(main, 'accounts', tx('admin.new.h1'));
  const known = await departments();
  const name = input('new-name', { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const department = departmentSelect('new-department', known, null);
  const inspector = input('new-inspector', { autocomplete: 'off' });
  const password = input('new-password', { type: 'password', autocomplete: 'new-password' });
  const again = input('new-password-again', { type: 'password', autocomplete: 'new-password' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit },
      field({ label: tx('admin.account.name'), hint: tx('admin.account.name.hint'), control: name }),
      roleChoice('new-role', 'supervisor'),
      field({ label: tx('admin.account.department'), hint: tx('admin.account.department.hint'), control: department }),
      field({ label: tx('admin.account.inspector'), hint: tx('admin.account.inspector.hint'), control: inspector }),
      field({ label: tx('admin.account.password'), hint: tx('admin.account.password.hint'), control: password }),
      field({ label: tx('admin.account.password.again'), control: again }),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'account-create' }, tx('admin.new.button'))),
    )
  );
  main.append(backLink('#/admin/accounts', 'admin.back.accounts'), h('p', { class: 'lead' }, tx('admin.new.intro')), form);

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const role = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="new-role"]:checked'))?.value || '';
    /** @type {Array<[string | null, import('../forms.js').Message]>} */
    const errors = [];
    if (!name.value.trim()) errors.push(['new-name', tx('admin.account.name.missing')]);
    if (role === 'supervisor' && !department.value) errors.push(['new-department', tx('admin.account.department.missing')]);
    if (role === 'inspector' && !inspector.value.trim()) errors.push(['new-inspector', tx('admin.account.inspector.missing')]);
    if (!password.value) errors.push(['new-password', tx('admin.account.password.missing')]);
    else if (password.value !== again.value) errors.push(['new-password-again', tx('admin.account.password.differs')]);
    showErrors(form, errors);
    if (errors.length) return;
    /** @type {Record<string, string>} */
    const body = { name: name.value.trim(), role, password: password.value };
    if (department.value) body.department = department.value;
    if (inspector.value.trim()) body.inspector_id = inspector.value.trim();
    try {
      const issued = await send('POST', '/api/users', body);
      created(main, issued);
    } catch (error) {
      password.value = '';
      again.value = '';
      showErrors(
        form,
        errorsOf(error, {
          name: 'new-name',
          role: 'new-role-supervisor',
          department: 'new-department',
          inspector_id: 'new-inspector',
          password: 'new-password',
        }),
      );
    }
  }
}

/**
 * The confirmation after an account is made: it can sign in with the
 * password; its API token is shown this once.
 * @param {HTMLElement} main
 * @param {{user: Account, token: string}} issued
 */
function created(main, issued) {
  main.replaceChildren();
  adminHeading(main, 'accounts', tx('admin.created.h1', { name: issued.user.name }));
  main.append(
    confirmation(
      tx('admin.created.h2'),
      h('p', { id: 'created-account' }, tx('admin.created.text', { name: issued.user.name })),
    ),
    tokenOnce(issued.token),
    h(
      'ul',
      {},
      h('li', {}, h('a', { href: `#/admin/accounts/${issued.user.id}` }, tx('admin.created.open', { name: issued.user.name }))),
      h('li', {}, h('a', { href: '#/admin/accounts' }, tx('admin.back.accounts'))),
    ),
  );
  const heading = /** @type {HTMLElement} */ (main.querySelector('h1'));
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

/** A token shown once, with the warning that it will not be shown again. */
export function tokenOnce(/** @type {string} */ token) {
  return h(
    'div',
    { class: 'notice notice-warn token-once' },
    h('h2', { class: 'notice-title' }, tx('admin.token.h2')),
    h('p', {}, tx('admin.token.warning')),
    h('p', {}, h('code', { class: 'digest', id: 'issued-token' }, token)),
  );
}
