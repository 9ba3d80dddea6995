// @ts-check
// Departments (#/admin/departments): their codes and their names in
// Chinese and English, as the public site and the console show them; a
// name is changed on the department's own page (#/admin/departments/CODE).

import { h, tx } from '../../lib/dom.js';
import { confirmation, errorsOf, field, input, showErrors } from '../forms.js';
import { send } from '../session.js';
import { dataTable } from './data-table.js';
import { adminHeading, backLink, departments } from './admin-layout.js';

/** The list. */
export async function departmentsPage(/** @type {HTMLElement} */ main) {
  adminHeading(main, 'departments', tx('admin.departments.h1'));
  const known = await departments();
  main.append(
    h('p', { class: 'lead' }, tx('admin.departments.intro')),
    dataTable({
      caption: 'admin.departments.caption',
      empty: 'admin.departments.empty',
      id: 'departments',
      rows: known,
      columns: [
        { label: 'admin.departments.col.code', header: true, cell: (d) => h('code', {}, d.code) },
        { label: 'admin.departments.col.name_zh', cell: (d) => h('span', { lang: 'zh-CN' }, d.name_zh) },
        { label: 'admin.departments.col.name_en', cell: (d) => h('span', { lang: 'en' }, d.name_en) },
        {
          label: 'admin.departments.col.action',
          cell: (d) =>
            h(
              'a',
              { href: `#/admin/departments/${encodeURIComponent(d.code)}`, dataset: { department: d.code } },
              tx('admin.departments.change'),
              h('span', { class: 'visually-hidden' }, ' ', d.code),
            ),
        },
      ],
    }),
  );
}

/**
 * One department's names.
 * @param {HTMLElement} main
 * @param {Record<string, string>} params
 */
export async function departmentPage(main, params) {
  const code = params.code;
  const known = await departments();
  const department = known.find((d) => d.code === code);
  adminHeading(main, 'departments', tx('admin.department.h1', { code }));
  main.append(backLink('#/admin/departments', 'admin.back.departments'));
  if (!department) {
    main.append(h('p', {}, tx('admin.department.missing', { code })));
    return;
  }
  const nameZh = input('department-name-zh', { value: department.name_zh, lang: 'zh-CN', maxlength: '200' });
  const nameEn = input('department-name-en', { value: department.name_en, lang: 'en', maxlength: '200' });
  const done = h('div', { 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit },
      field({ label: tx('admin.departments.col.name_zh'), hint: tx('admin.department.name_zh.hint'), control: nameZh }),
      field({ label: tx('admin.departments.col.name_en'), hint: tx('admin.department.name_en.hint'), control: nameEn }),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'department-save' }, tx('admin.department.save'))),
    )
  );
  main.append(h('p', { class: 'lead' }, tx('admin.department.intro')), done, form);

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    /** @type {Array<[string, import('../forms.js').Message]>} */
    const errors = [];
    if (!nameZh.value.trim()) errors.push(['department-name-zh', tx('admin.department.name_zh.missing')]);
    if (!nameEn.value.trim()) errors.push(['department-name-en', tx('admin.department.name_en.missing')]);
    showErrors(form, errors);
    if (errors.length) return;
    try {
      await send('PUT', `/api/departments/${encodeURIComponent(code)}`, {
        name_zh: nameZh.value.trim(),
        name_en: nameEn.value.trim(),
      });
      const panel = confirmation(
        tx('admin.department.saved.h2'),
        h('p', {}, tx('admin.department.saved', { code })),
        h('p', {}, h('a', { href: '#/admin/departments' }, tx('admin.back.departments'))),
      );
      panel.setAttribute('tabindex', '-1');
      done.replaceChildren(panel);
      panel.focus();
    } catch (error) {
      showErrors(form, errorsOf(error, { name_zh: 'department-name-zh', name_en: 'department-name-en' }));
    }
  }
}
