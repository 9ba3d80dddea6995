// @ts-check
// A result's evidence for its reviewer: the checklist answers (failed
// points stand out, in words as well as colour) and the attachments.
// Attachments are never on a public address: each is fetched with the
// session and shown from a blob URL, images inline, PDFs as a link that
// opens the fetched file.

import { fill, h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { errorOf } from '../../../lib/api.js';
import { refusal } from '../../forms.js';
import { dataTable, localTime } from '../data-table.js';

/**
 * @typedef {import('./data.js').Result} Result
 * @typedef {import('./data.js').Answer} Answer
 * @typedef {import('./data.js').Attachment} Attachment
 */

/** The checklist answers, with how many points failed said first. */
export function answersSection(/** @type {Result} */ result) {
  const answers = result.answers || [];
  const failed = answers.filter((answer) => answer.answer === 'non_compliant').length;
  return h(
    'section',
    { 'aria-labelledby': 'answers-h2', id: 'answers' },
    h('h2', { id: 'answers-h2' }, tx('review.answers.h2')),
    answers.length
      ? h(
          'p',
          { id: 'answers-failed', class: failed ? 'notice notice-warn' : 'muted' },
          failed ? tx('review.answers.failed', { count: failed }) : tx('review.answers.allPassed'),
        )
      : null,
    dataTable({
      caption: 'review.answers.caption',
      empty: 'review.answers.none',
      id: 'answers-table',
      rows: answers,
      columns: [
        { label: 'review.answers.number', num: true, cell: (a) => String(a.number) },
        { label: 'review.answers.point', header: true, cell: (a) => a.point },
        { label: 'review.answers.basis', cell: (a) => a.legal_basis },
        {
          label: 'review.answers.answer',
          cell: (a) =>
            h('span', { class: a.answer === 'non_compliant' ? 'answer-failed' : 'answer', dataset: { answer: a.answer } }, tx(`review.answer.${a.answer}`)),
        },
        { label: 'review.answers.note', cell: (a) => a.note },
      ],
    }),
  );
}

/** The attachments, each loaded with the session once the page is drawn. */
export function attachmentsSection(/** @type {Result} */ result) {
  const attachments = result.attachments || [];
  return h(
    'section',
    { 'aria-labelledby': 'attachments-h2', id: 'attachments' },
    h('h2', { id: 'attachments-h2' }, tx('review.attachments.h2')),
    attachments.length
      ? h('ul', { class: 'attachment-list' }, attachments.map((attachment) => attachmentItem(result.id, attachment)))
      : h('p', { class: 'muted' }, tx('review.attachments.none')),
  );
}

/**
 * One attachment: its facts, and the file once fetched.
 * @param {number} result
 * @param {Attachment} attachment
 */
function attachmentItem(result, attachment) {
  const slot = h('div', { class: 'attachment-view' }, h('p', { class: 'muted' }, tx('review.attachments.loading', { name: attachment.name })));
  const item = h(
    'li',
    { class: 'attachment', dataset: { attachment: String(attachment.id) } },
    slot,
    h(
      'p',
      { class: 'attachment-meta' },
      h('strong', {}, attachment.name),
      ' — ',
      tx('review.attachments.meta', {
        type: attachment.media_type,
        size: sizeWords(attachment.size),
        who: attachment.uploaded_by,
        when: localTime(attachment.uploaded_at),
      }),
    ),
    h('p', { class: 'attachment-sha' }, tx('review.attachments.sha'), ' ', h('code', {}, attachment.sha256)),
  );
  load(result, attachment, slot);
  return item;
}

/**
 * Fetches the file with the session and shows it from a blob URL.
 * @param {number} result
 * @param {Attachment} attachment
 * @param {HTMLElement} slot
 */
async function load(result, attachment, slot) {
  try {
    const response = await fetch(`/api/results/${result}/attachments/${attachment.id}`, { referrerPolicy: 'same-origin' });
    if (!response.ok) throw await errorOf(response);
    const url = URL.createObjectURL(await response.blob());
    if (attachment.media_type.startsWith('image/')) {
      fill(slot, h('img', { src: url, class: 'attachment-image', alt: () => t('review.attachments.photo', { name: attachment.name }) }));
    } else {
      fill(slot, h('a', { href: url, target: '_blank', rel: 'noopener', class: 'attachment-open' }, tx('review.attachments.open', { name: attachment.name })));
    }
  } catch (error) {
    const vars = { name: attachment.name };
    const message =
      error && error.code
        ? refusal(error, { within: 'review.attachments.failed', vars })
        : tx('review.attachments.failed', { ...vars, message: String((error && error.message) || error) });
    fill(slot, h('p', { class: 'notice notice-error' }, message));
  }
}

/** A size in bytes, in words a reader takes in at a glance. */
function sizeWords(/** @type {number} */ bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
