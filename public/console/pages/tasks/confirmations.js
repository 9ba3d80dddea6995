// @ts-check
// What a step did, said after it: what happened, what is now public, what
// comes next, and where the public sees it.

import { h, tx } from '../../../lib/dom.js';
import { t } from '../../../lib/i18n.js';
import { confirmation } from '../../forms.js';
import { publicPage } from './data.js';
import { eventWords } from './describe.js';

/** The steps that end on a confirmation. */
export const DONE = ['created', 'saved', 'committed', 'drawn', 'replaced', 'revealed', 'abandoned'];

/**
 * @param {import('./data.js').TaskView} task
 * @param {string} done
 * @param {any} [made] the replacement made (for 'replaced')
 */
export function confirmationPanel(task, done, made) {
  const d = task.definition;
  const vars = () => ({
    id: task.id,
    pool: task.pool_size ?? '—',
    drawn: task.drawn_count ?? '—',
    event: eventWords(d.entropy.event_at),
    source: d.entropy.source,
    embargo: d.embargo_until || '—',
    from: made && made.out,
    to: made && made.in,
    target: made && made.target,
    number: made && made.number,
    reason: task.abandon_reason || '',
  });
  const drand = d.entropy.format === 'drand';
  const next =
    done === 'drawn' && !d.embargo_until
      ? 'tasks.done.drawn.next.noEmbargo'
      : done === 'committed' && drand
        ? 'tasks.done.committed.next.drand'
        : `tasks.done.${done}.next`;
  const panel = confirmation(
    () => t(`tasks.done.${done}.title`, vars()),
    h('p', {}, () => t(done === 'abandoned' ? `tasks.done.abandoned.public.${abandonedFrom(task)}` : `tasks.done.${done}.public`, vars())),
    h('p', {}, h('strong', {}, tx('tasks.done.next')), ' ', () => t(next, vars())),
    done === 'created' || done === 'saved'
      ? null
      : h('p', {}, h('a', { href: publicPage(task.id), class: 'public-link' }, tx('tasks.done.publicPage', { id: task.id }))),
  );
  // The page's confirmation; a replacement's stays beside its form.
  panel.id = done === 'replaced' ? 'replace-confirmation' : 'confirmation';
  panel.dataset.done = done;
  return panel;
}

/** The state an abandoned task was abandoned in. @param {import('./data.js').TaskView} task */
export function abandonedFrom(task) {
  return task.drawn_at ? 'drawn' : task.committed_at ? 'committed' : 'draft';
}
