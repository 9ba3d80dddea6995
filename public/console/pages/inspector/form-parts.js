// @ts-check
// What every page of the result form shows: where it is, a way back, a
// returned result's reason, and where its draft is.

import { fill, h, tx } from '../../../lib/dom.js';
import { loadDraft, onDraftChange } from '../../drafts.js';
import { keptRefusal } from '../../forms.js';
import { localTime } from '../data-table.js';
import { formHref } from './data.js';

/**
 * @typedef {import('../../drafts.js').DraftData} DraftData
 * @typedef {{task: number, target: string, item: string}} Place
 * @typedef {{place: Place, assignment: import('./data.js').Assignment,
 *   item: import('./data.js').AssignedItem, checklist: import('./data.js').ChecklistPoint[],
 *   result: import('./data.js').ResultView | null, data: DraftData, editable: boolean,
 *   outcomes: Array<{code: string, label_zh: string, label_en: string}>}} Form
 */

/** The lines above every page of the form: where it is, a way back, and a returned result's reason. */
export function formHead(/** @type {Form} */ form, /** @type {string} */ backHref) {
  const { assignment, item, result } = form;
  return [
    h('p', { class: 'back-link' }, h('a', { href: backHref, id: 'back' }, tx('inspector.back'))),
    h(
      'p',
      { class: 'form-caption' },
      `${assignment.target_name || assignment.target} · ${item.item_name || item.item}`,
    ),
    result && result.state === 'returned' && result.return_reason
      ? h(
          'div',
          { class: 'notice notice-warn', id: 'return-reason' },
          h('strong', {}, tx('inspector.returned.label')),
          ' ',
          result.return_reason,
        )
      : null,
  ];
}

/** Where the draft of this form is: in the browser, waiting, sent, refused. Updated as it changes. */
export function draftStatus(/** @type {Place} */ place) {
  const el = h('p', { id: 'draft-status', class: 'draft-status', role: 'status' });
  const draw = () => {
    const draft = loadDraft(place);
    if (!draft) return fill(el);
    const state = !draft.pending ? 'sent' : draft.error ? 'refused' : navigator.onLine ? 'waiting' : 'offline';
    el.dataset.state = state;
    fill(
      el,
      state === 'sent'
        ? tx('inspector.draft.sent', { at: localTime(draft.saved_at) })
        : state === 'refused'
          ? keptRefusal(draft, { within: 'inspector.draft.refused', name: 'error' })
          : tx(`inspector.draft.${state}`),
    );
  };
  draw();
  const stop = onDraftChange(() => (el.isConnected ? draw() : stop()));
  return el;
}

/** The href of the form's pages, and of the assignment list. */
export function stepHref(/** @type {Form} */ form, /** @type {string} */ step) {
  return step === 'list' ? '#/assignments' : formHref(form.place, step);
}
