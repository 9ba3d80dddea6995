// @ts-check
// The task page's list of drawn targets and their inspectors, with a filter.

import { departmentLabel } from '../lib/departments.js';
import { h, live, tx } from '../lib/dom.js';
import { getLang, t } from '../lib/i18n.js';
import { showFirstRows } from '../lib/fold.js';
import { taskDepartments } from '../lib/rules.js';
import { stackRows, stackTable } from '../lib/stack-table.js';

function inspectorGroups(inspectors, joint) {
  // Group by department, keeping each department's order as given.
  const groups = new Map();
  for (const inspector of inspectors) {
    if (!groups.has(inspector.department)) groups.set(inspector.department, []);
    groups.get(inspector.department).push(inspector);
  }
  const departments = [...groups.keys()].sort();
  return departments.map((department) =>
    h(
      'div',
      { class: 'inspector-group', 'data-department': department },
      joint ? h('span', { class: 'dept' }, () => `${departmentLabel(department)}: `) : null,
      groups.get(department).map((inspector, i) => [
        i ? (getLang() === 'zh' ? '、' : ', ') : '',
        h('span', { class: 'inspector' }, inspector.name || inspector.id, inspector.name ? h('span', { class: 'id' }, ` (${inspector.id})`) : null),
      ]),
    ),
  );
}

/**
 * @param {import('../lib/types.js').PublicTask} task
 * @param {import('../lib/types.js').SelectedTarget[]} selection
 * @param {HTMLElement} container
 * @param {string} initialFilter
 */
export function renderSelection(task, selection, container, initialFilter) {
  const joint = taskDepartments(task).length > 1;
  const table = stackTable({
    id: 'selection',
    class: 'selection',
    caption: 'task.selection.caption',
    columns: [
      { label: 'col.position', num: true, cell: (target) => String(target.position) },
      { label: 'col.target', header: true, cell: (target) => h('code', {}, target.target) },
      { label: 'col.name', cell: (target) => target.name || '—' },
      { label: 'col.stratum', cell: (target) => target.stratum },
      { label: 'col.inspectors', cell: (target) => inspectorGroups(target.inspectors, joint) },
    ],
    rows: selection,
    rowAttrs: (target) => ({ 'data-target': target.target, 'data-position': String(target.position) }),
  });
  const trs = stackRows(table);
  const rows = selection.map((target, index) => {
    const text = [
      target.target,
      target.name || '',
      target.stratum,
      ...target.inspectors.flatMap((i) => [i.id, i.name || '', i.department, departmentLabel(i.department)]),
    ]
      .join('\n')
      .toLowerCase();
    return { tr: trs[index], text };
  });
  const input = h('input', {
    id: 'selection-filter',
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'selection-count',
    'aria-controls': 'selection',
  });
  if (initialFilter) input.value = initialFilter;
  let shown = rows.length;
  const count = live('p', { id: 'selection-count', class: 'muted', 'aria-live': 'polite' }, () =>
    shown ? t('task.selection.count', { shown, total: rows.length }) : t('task.selection.noMatch'),
  );
  // Folded to its first rows until a filter is typed or all are asked for.
  let all = false;
  const apply = () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && !all) {
      all = true;
      if (more) more.remove();
    }
    shown = 0;
    for (const { tr, text } of rows) {
      const visible = words.every((w) => text.includes(w)) && (all || shown < FOLDED);
      tr.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = shown ? t('task.selection.count', { shown, total: rows.length }) : t('task.selection.noMatch');
  };
  const FOLDED = 5;
  const more = initialFilter
    ? null
    : showFirstRows(
        rows.map((r) => r.tr),
        'selection',
        () => {
          all = true;
          apply();
        },
        FOLDED,
      );
  if (!more) all = true;
  input.addEventListener('input', apply);
  container.append(
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'selection-filter' }, tx('task.selection.filter')),
      input,
    ),
    count,
    table,
    ...(more ? [more] : []),
  );
  apply();
}
