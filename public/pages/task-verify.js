// @ts-check
// The task page's in-browser verification: verify-worker.js recomputes the
// draw from the bundle, pinned to what the public log holds of the task.

import { fill, h, refreshTexts, tx } from '../lib/dom.js';
import { kindLabel } from '../lib/format.js';
import { has, onLangChange, t } from '../lib/i18n.js';
import { committedPayload, drawnPayload, loggedPins } from './task-details.js';

function checkSubject(check) {
  if (check.kind === 'replacement' && /^[0-9]+$/.test(check.subject)) return tx('subject.replacement', { n: check.subject });
  if ((check.kind === 'log-entry' || check.kind === 'log-pins') && /^[0-9]+$/.test(check.subject)) return tx('subject.logEntry', { n: check.subject });
  const subjectKey = `subject.${check.subject}`;
  return has(subjectKey) ? tx(subjectKey) : check.subject;
}

/**
 * A check's detail: in the page's language when the verifier gave it as a
 * message this page knows, else in the verifier's English.
 * @param {{detail?: string, message?: ({key: string} & Record<string, any>) | null}} check
 * @param {string} tag
 * @param {string} className
 */
function checkDetail(check, tag, className) {
  const message = check.message;
  if (message && has(`vcheck.${message.key}`)) {
    return h(tag, { class: className, 'data-message': message.key }, tx(`vcheck.${message.key}`, message));
  }
  return check.detail ? h(tag, { class: className, lang: 'en' }, check.detail) : null;
}

function checkItem(check) {
  return h(
    'li',
    { class: `check ${check.passed ? 'pass' : 'fail'}`, 'data-kind': check.kind, 'data-subject': check.subject },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, check.passed ? '✓' : '✗'),
    h('span', { class: 'word' }, tx(check.passed ? 'check.passed' : 'check.failed')),
    h('span', { class: 'check-kind' }, () => kindLabel(check.kind)),
    h('span', { class: 'check-subject' }, checkSubject(check)),
    checkDetail(check, 'span', 'check-detail'),
  );
}

/**
 * A note of the verifier: something worth knowing that passes or fails
 * nothing (a cosignature whose witness's key is not known here, the key a
 * bundle names when the log's own could not be had), shown among the checks.
 * @param {{kind: string, subject: string, detail?: string, message?: ({key: string} & Record<string, any>) | null}} note
 */
function noteItem(note) {
  return h(
    'li',
    { class: 'check note', 'data-kind': note.kind, 'data-subject': note.subject },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, 'i'),
    h('span', { class: 'word' }, tx('check.note')),
    h('span', { class: 'check-kind' }, () => kindLabel(note.kind)),
    h('span', { class: 'check-subject' }, checkSubject(note)),
    checkDetail(note, 'span', 'check-detail'),
  );
}

/**
 * @param {import('../lib/types.js').PublicTask} task
 * @param {HTMLElement} section where the button and the verdict go
 */
export function setupVerify(task, section) {
  const button = h('button', { type: 'button', id: 'verify-button', class: 'primary' }, tx('task.verify.button'));
  const progress = h('progress', { id: 'verify-progress', max: '1', value: '0', hidden: true, 'aria-labelledby': 'verify-status' });
  const status = h('p', { id: 'verify-status', class: 'muted', 'aria-live': 'polite' });
  const verdict = h('div', { id: 'verify-verdict', class: 'verdict', hidden: true, role: 'status' });
  // #verify-first-failure exists only while a failed report is shown.
  let firstFailure = null;
  const clearFailure = () => {
    if (firstFailure) firstFailure.remove();
    firstFailure = null;
  };
  const report = h('ul', { id: 'verify-report', class: 'checks', 'aria-label': tx('task.verify.checks') });
  // The checks one by one, folded under the verdict: a draw of many strata
  // has dozens.
  let checkCount = 0;
  const details = h(
    'details',
    { id: 'verify-details', class: 'fold', hidden: true },
    h('summary', {}, () => t('task.verify.details', { n: checkCount })),
    report,
  );
  section.append(
    h('p', {}, tx('task.verify.intro')),
    h('p', {}, button),
    progress,
    status,
    verdict,
    details,
  );

  // Pins: the digests the task page states, which must be the logged ones.
  // The task's number too: the bundle's log.tsv must prove this task's entries.
  const pins = { commitment: task.commitment_digest, result: task.result_digest, ...loggedPins(task), task: task.id };
  const logged = { commitment: committedPayload(task).commitment, result: drawnPayload(task).result };
  const pinsAgree =
    (!logged.commitment || logged.commitment === pins.commitment) && (!logged.result || logged.result === pins.result);

  let statusText = () => '';
  const setStatus = (fn) => {
    statusText = fn;
    status.textContent = fn();
  };
  onLangChange(() => {
    status.textContent = statusText();
  });

  let worker = null;
  const finish = () => {
    if (worker) worker.terminate();
    worker = null;
    button.disabled = false;
  };
  const fail = (message) => {
    finish();
    progress.hidden = true;
    setStatus(() => '');
    verdict.hidden = false;
    verdict.dataset.verified = 'false';
    verdict.className = 'verdict verdict-error';
    verdict.setAttribute('role', 'alert');
    fill(verdict, h('p', {}, tx('task.verify.error', { message })));
  };

  const show = (result) => {
    finish();
    progress.value = 1;
    setStatus(() => '');
    report.replaceChildren(...(result.checks || []).map(checkItem), ...(result.notes || []).map(noteItem));
    checkCount = (result.checks || []).length;
    details.hidden = false;
    refreshTexts();
    const ok = result.verified === true;
    verdict.hidden = false;
    verdict.className = `verdict ${ok ? 'verdict-ok' : 'verdict-bad'}`;
    fill(
      verdict,
      h('p', {}, tx(ok ? (result.pinned ? 'task.verify.ok' : 'task.verify.consistent') : 'task.verify.bad')),
      h('p', { class: 'verdict-count' }, tx('task.verify.count', { passed: (result.checks || []).filter((c) => c.passed).length, total: (result.checks || []).length })),
      pinsAgree ? null : h('p', {}, tx('task.verify.pinMismatch')),
    );
    verdict.dataset.verified = ok ? 'true' : 'false';
    verdict.dataset.pinned = result.pinned ? 'true' : 'false';
    const first = result.firstFailure || (result.checks || []).find((c) => !c.passed) || null;
    clearFailure();
    if (!ok && first) {
      firstFailure = h(
        'div',
        { id: 'verify-first-failure', class: 'first-failure', role: 'alert' },
        h('h3', {}, tx('task.verify.firstFailure')),
        h(
          'p',
          {},
          h('strong', {}, () => kindLabel(first.kind)),
          ' · ',
          checkSubject(first),
        ),
        checkDetail(first, 'p', 'failure-detail'),
      );
      verdict.after(firstFailure);
    }
    verdict.focus();
  };
  verdict.tabIndex = -1;

  button.addEventListener('click', async () => {
    button.disabled = true;
    verdict.hidden = true;
    verdict.removeAttribute('data-verified');
    verdict.setAttribute('role', 'status');
    clearFailure();
    report.replaceChildren();
    details.hidden = true;
    progress.hidden = false;
    progress.value = 0;
    setStatus(() => t('task.verify.downloading'));
    // The worker downloads the bundle and verifies it as it arrives.
    try {
      worker = new Worker('verify-worker.js', { type: 'module' });
    } catch (error) {
      fail(String(error.message || error));
      return;
    }
    worker.onmessage = (event) => {
      const message = event.data || {};
      if (message.type === 'progress') {
        progress.value = Math.min(1, Math.max(0, Number(message.fraction) || 0));
        const label = message.label || '';
        if (message.downloading) setStatus(() => t('task.verify.downloading'));
        else setStatus(() => t('task.verify.running', { label }));
      } else if (message.type === 'report') {
        show(message.report || {});
      } else if (message.type === 'error') {
        fail(message.network ? t('error.network') : message.message || 'unknown error');
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail(event.message || 'verify-worker.js could not be loaded');
    };
    worker.postMessage({ url: `/api/public/tasks/${task.id}/bundle.tar`, pins });
  });
}
