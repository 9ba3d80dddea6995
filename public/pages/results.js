// @ts-check
// The results page: published inspection results, filtered by outcome,
// region, item, task, entity and completion date. The filters live in the
// address (results.html?outcome=rectify&region=…), so a link reproduces a
// view; the download links carry the same filters to the CSV and JSON.

import { api } from '../lib/api.js';
import { $, fill, h, live, tx } from '../lib/dom.js';
import { onLangChange, t } from '../lib/i18n.js';
import { loadOutcomes, outcomeLabel } from '../lib/outcomes.js';
import { errorBox, setTitle } from '../lib/page.js';
import { highlightFromHash, resultsTable } from '../lib/records.js';

/** The API's filter parameters, in the order they are written into addresses. */
const FILTERS = ['outcome', 'region', 'item', 'task', 'target', 'from', 'to'];
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** Which form control (and label) stands for a parameter the server rejects. */
const FIELD_CONTROLS = {
  outcome: ['f-outcome', 'res.f.outcome'],
  region: ['f-region', 'res.f.region'],
  item: ['f-item', 'res.f.item'],
  task: ['f-task', 'res.f.task'],
  target: ['f-target', 'res.f.target'],
  from: ['f-from', 'res.f.from'],
  to: ['f-to', 'res.f.to'],
  include_corrected: ['f-corrected', 'res.f.corrected'],
};

/** The view an address asks for: {filters: {name: value}, includeCorrected, offset, limit}. */
function readQuery(search) {
  const params = new URLSearchParams(search);
  const filters = {};
  for (const name of FILTERS) {
    const value = (params.get(name) || '').trim();
    if (value) filters[name] = value;
  }
  const offset = Number(params.get('offset'));
  const limit = Number(params.get('limit'));
  return {
    filters,
    includeCorrected: params.get('include_corrected') !== 'false',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
    limit: Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT ? limit : DEFAULT_LIMIT,
  };
}

/** The filters as parameters, shared by the page's address, the API and the downloads. */
function filterParams(query) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (query.filters[name]) params.set(name, query.filters[name]);
  if (!query.includeCorrected) params.set('include_corrected', 'false');
  return params;
}

function pageAddress(query, offset = query.offset) {
  const params = filterParams(query);
  if (offset > 0) params.set('offset', String(offset));
  if (query.limit !== DEFAULT_LIMIT) params.set('limit', String(query.limit));
  const search = params.toString();
  return `results.html${search ? `?${search}` : ''}`;
}

function withParams(path, params, extra) {
  const all = new URLSearchParams(params);
  for (const [name, value] of Object.entries(extra)) all.set(name, value);
  return `${path}?${all.toString()}`;
}

/** Adds `value` to a select as an option when it is not one already (an address may name anything). */
function ensureOption(select, value, label = () => value) {
  if (!value || [...select.options].some((o) => o.value === value)) return;
  select.append(live('option', { value }, label));
}

function populateFilters(form, outcomes, tasks, statistics) {
  const outcome = $('#f-outcome', form);
  for (const o of outcomes) outcome.append(live('option', { value: o.code }, () => outcomeLabel(o.code, o.label_zh)));

  const region = $('#f-region', form);
  const regions = ((statistics && statistics.by_region) || []).map((r) => r.key).filter(Boolean);
  for (const key of [...new Set(regions)].sort((a, b) => a.localeCompare(b, 'zh-CN'))) region.append(h('option', { value: key }, key));

  const item = $('#f-item', form);
  const items = new Set(tasks.flatMap((task) => (task.definition && task.definition.items) || []));
  for (const code of [...items].sort()) item.append(h('option', { value: code }, code));

  const task = $('#f-task', form);
  const withResults = tasks
    .filter((x) => x.state === 'revealed' || x.state === 'results_published' || (x.results_published ?? 0) > 0)
    .sort((a, b) => a.id - b.id);
  for (const x of withResults) task.append(live('option', { value: String(x.id) }, () => t('res.f.task.option', { id: x.id, name: x.name })));
}

/** Item options show their names once a result has shown what they are. */
function nameItems(form, results) {
  const select = $('#f-item', form);
  for (const r of results) {
    const option = [...select.options].find((o) => o.value === r.item);
    if (option && r.item_name && option.textContent === r.item) option.textContent = `${r.item} ${r.item_name}`;
  }
}

function setForm(form, query) {
  for (const name of FILTERS) {
    const control = form.elements.namedItem(name);
    const value = query.filters[name] || '';
    if (control.tagName === 'SELECT') {
      ensureOption(control, value, name === 'task' ? () => t('home.taskNo', { id: value }) : undefined);
    }
    control.value = value;
    control.removeAttribute('aria-invalid');
  }
  form.elements.include_corrected.checked = query.includeCorrected;
  form.elements.include_corrected.removeAttribute('aria-invalid');
}

function formQuery(form, limit) {
  const filters = {};
  for (const name of FILTERS) {
    const value = String(form.elements.namedItem(name).value || '').trim();
    if (value) filters[name] = value;
  }
  return { filters, includeCorrected: form.elements.include_corrected.checked, offset: 0, limit };
}

function pageLink(key, query, offset) {
  if (offset === null) return h('span', { class: 'page-link disabled', 'aria-disabled': 'true' }, tx(key));
  return h('a', { class: 'page-link', href: pageAddress(query, offset), 'data-offset': String(offset) }, tx(key));
}

export async function pageResults() {
  setTitle(() => t('title.results'));
  const form = $('#results-filter');
  const container = $('#results');
  const summary = $('#results-summary');
  const pager = $('#results-pages');
  const errorArea = $('#results-error');

  const [outcomes, tasks, statistics] = await Promise.all([
    loadOutcomes(),
    api('/api/public/tasks').catch(() => []),
    api('/api/public/statistics').catch(() => null),
  ]);
  populateFilters(form, outcomes, tasks, statistics);

  let query = readQuery(location.search);
  let request = 0;
  let summaryText = () => '';
  onLangChange(() => {
    summary.textContent = summaryText();
  });

  const updateDownloads = () => {
    const params = filterParams(query);
    $('#download-csv-zh').setAttribute('href', withParams('/api/public/results.csv', params, { lang: 'zh' }));
    $('#download-csv-en').setAttribute('href', withParams('/api/public/results.csv', params, { lang: 'en' }));
    $('#download-json').setAttribute('href', withParams('/api/public/results', params, { limit: String(MAX_LIMIT) }));
  };

  const showError = (error) => {
    const control = error.field && FIELD_CONTROLS[error.field];
    if (error.status === 422 && control) {
      const input = document.getElementById(control[0]);
      if (input) input.setAttribute('aria-invalid', 'true');
      fill(errorArea, h('p', { class: 'notice notice-error' }, () => t('res.f.error', { field: t(control[1]), message: error.message })));
    } else {
      fill(errorArea, errorBox(error));
    }
  };

  const load = async () => {
    const mine = ++request;
    const params = filterParams(query);
    updateDownloads();
    errorArea.replaceChildren();
    container.setAttribute('aria-busy', 'true');
    let page;
    try {
      page = await api(withParams('/api/public/results', params, { offset: String(query.offset), limit: String(query.limit) }));
    } catch (error) {
      if (mine !== request) return;
      showError(error);
      summaryText = () => '';
      summary.textContent = '';
      container.replaceChildren();
      container.dataset.query = params.toString();
      container.dataset.total = '';
      container.removeAttribute('aria-busy');
      pager.hidden = true;
      return;
    }
    if (mine !== request) return;
    const { total, results } = page;
    const from = query.offset + 1;
    const to = query.offset + results.length;
    summaryText = () => (results.length ? t('res.summary', { from, to, total }) : t('res.summary.none'));
    summary.textContent = summaryText();
    container.replaceChildren(results.length ? resultsTable(results, { id: 'results-table', labelledBy: 'list-title' }) : '');
    container.dataset.query = params.toString();
    container.dataset.total = String(total);
    container.dataset.offset = String(query.offset);
    container.removeAttribute('aria-busy');
    nameItems(form, results);

    const previous = query.offset > 0 ? Math.max(0, query.offset - query.limit) : null;
    const next = to < total ? query.offset + query.limit : null;
    pager.replaceChildren(pageLink('res.first', query, query.offset > 0 ? 0 : null), pageLink('res.prev', query, previous), pageLink('res.next', query, next));
    pager.hidden = previous === null && next === null;
    highlightFromHash();
  };

  const navigate = (next) => {
    query = next;
    history.pushState(null, '', pageAddress(query));
    setForm(form, query);
    load();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(formQuery(form, query.limit));
  });
  $('#f-reset').addEventListener('click', () => navigate({ filters: {}, includeCorrected: true, offset: 0, limit: query.limit }));
  pager.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-offset]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    navigate({ ...query, offset: Number(link.dataset.offset) });
    $('#list-title').scrollIntoView();
  });
  window.addEventListener('popstate', () => {
    query = readQuery(location.search);
    setForm(form, query);
    load();
  });

  setForm(form, query);
  await load();
}
