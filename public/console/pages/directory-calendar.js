// @ts-check
// The working-day calendar (#/directories/calendar?year=2026): the year's
// public holidays and the weekend days worked in their place, which set
// the 20-working-day deadline for publishing results. A day is added or
// made ordinary again one at a time, or a year is imported from a file.

import { h, tx } from '../../lib/dom.js';
import { t } from '../../lib/i18n.js';
import { errorsOf, field, input, refusal, select, showErrors } from '../forms.js';
import { get, send } from '../session.js';
import { dataTable, statusLine } from './data-table.js';
import { importPanel } from './directory-import.js';
import { directoryHeading } from './directory-layout.js';

/** @typedef {{date: string, kind: 'holiday' | 'workday', name: string}} CalendarDay */

/**
 * @param {HTMLElement} main
 * @param {Record<string, string>} _params
 * @param {URLSearchParams} query
 */
export async function calendarPage(main, _params, query) {
  const asked = Number(query.get('year'));
  const year = Number.isInteger(asked) && asked >= 1 && asked <= 9999 ? asked : new Date().getFullYear();
  directoryHeading(main, 'calendar');
  const status = statusLine();
  const list = h('div', { id: 'calendar-list' });
  const refresh = async () => list.replaceChildren(await yearTable(year, remove));

  main.append(
    h(
      'nav',
      { class: 'pager', 'aria-label': tx('directories.calendar.years') },
      h('a', { href: `#/directories/calendar?year=${year - 1}`, id: 'calendar-previous' }, tx('directories.calendar.previous', { year: year - 1 })),
      ' ',
      h('a', { href: `#/directories/calendar?year=${year + 1}`, id: 'calendar-next' }, tx('directories.calendar.next', { year: year + 1 })),
    ),
    h('h2', { id: 'calendar-year' }, tx('directories.calendar.year', { year })),
    status,
    list,
    addForm(year, refresh, status),
    importPanel({ kind: 'calendar', onImported: refresh }),
  );
  await refresh();

  /** Makes a day ordinary again. */
  async function remove(/** @type {CalendarDay} */ day) {
    try {
      await send('DELETE', `/api/calendar/${encodeURIComponent(day.date)}`);
      await refresh();
      status.replaceChildren(h('p', { class: 'notice notice-info' }, tx('directories.calendar.removed', { date: day.date })));
    } catch (error) {
      status.replaceChildren(h('p', { class: 'notice notice-error' }, refusal(error)));
    }
    /** @type {HTMLElement} */ (main.querySelector('#calendar-year')).setAttribute('tabindex', '-1');
    /** @type {HTMLElement} */ (main.querySelector('#calendar-year')).focus();
  }
}

/**
 * The year's days, each with a button that removes it.
 * @param {number} year
 * @param {(day: CalendarDay) => void} remove
 */
async function yearTable(year, remove) {
  /** @type {CalendarDay[]} */
  const days = await get(`/api/calendar?year=${year}`);
  return dataTable({
    caption: () => t('directories.calendar.caption', { year, count: days.length }),
    empty: 'directories.calendar.empty',
    id: 'calendar',
    rows: days,
    columns: [
      { label: 'directories.calendar.col.date', header: true, cell: (day) => h('time', { datetime: day.date }, day.date) },
      { label: 'directories.calendar.col.kind', cell: (day) => tx(`directories.calendar.kind.${day.kind}`) },
      { label: 'directories.calendar.col.name', cell: (day) => day.name },
      {
        label: 'directories.calendar.col.action',
        cell: (day) =>
          h(
            'button',
            { type: 'button', class: 'small-button', dataset: { date: day.date }, onclick: () => remove(day) },
            tx('directories.calendar.remove'),
            h('span', { class: 'visually-hidden' }, ' ', day.date),
          ),
      },
    ],
  });
}

/**
 * Adds (or changes) one day.
 * @param {number} year
 * @param {() => Promise<void>} refresh
 * @param {HTMLElement} status
 */
function addForm(year, refresh, status) {
  const date = input('day-date', { type: 'date', min: `${year}-01-01`, max: `${year}-12-31` });
  const kind = select('day-kind', [
    ['holiday', () => t('directories.calendar.kind.holiday')],
    ['workday', () => t('directories.calendar.kind.workday')],
  ]);
  const name = input('day-name', { maxlength: '128' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'stack-form', novalidate: true, onsubmit: submit },
      h('h2', {}, tx('directories.calendar.add.h2')),
      field({ label: tx('directories.calendar.add.date'), hint: tx('directories.calendar.add.date.hint'), control: date }),
      field({ label: tx('directories.calendar.add.kind'), hint: tx('directories.calendar.add.kind.hint'), control: kind }),
      field({ label: tx('directories.calendar.add.name'), hint: tx('directories.calendar.add.name.hint'), control: name }),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', id: 'day-add' }, tx('directories.calendar.add.button'))),
    )
  );
  return form;

  /** @param {SubmitEvent} event */
  async function submit(event) {
    event.preventDefault();
    const day = /** @type {HTMLInputElement} */ (date).value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      showErrors(form, [['day-date', tx('directories.calendar.add.date.missing')]]);
      return;
    }
    try {
      await send('PUT', `/api/calendar/${day}`, {
        kind: /** @type {HTMLSelectElement} */ (kind).value,
        name: /** @type {HTMLInputElement} */ (name).value.trim(),
      });
      showErrors(form, []);
      /** @type {HTMLInputElement} */ (date).value = '';
      /** @type {HTMLInputElement} */ (name).value = '';
      await refresh();
      status.replaceChildren(h('p', { class: 'notice notice-info' }, tx('directories.calendar.added', { date: day })));
    } catch (error) {
      showErrors(form, errorsOf(error, { date: 'day-date', kind: 'day-kind', name: 'day-name' }));
    }
  }
}
