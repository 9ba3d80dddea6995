// @ts-check
// The header and footer every page of the public site shares, written once
// here instead of in each HTML file: the skip link (the first thing a
// keyboard reaches), the site's name, the language switch, the main
// navigation with the current page marked, and the footer — with the
// authority's branding when the server publishes it (lib/site.js).

import { $, fill, h, tx } from './dom.js';
import { getLang, pick, setLang, t } from './i18n.js';

/** @typedef {import('./site.js').Branding} Branding */

/** The navigation: [page, address, message key], in reading order. */
const NAVIGATION = [
  ['home', 'index.html', 'nav.home'],
  ['task', 'task.html', 'nav.task'],
  ['results', 'results.html', 'nav.results'],
  ['stats', 'stats.html', 'nav.stats'],
  ['items', 'items.html', 'nav.items'],
  ['plans', 'plans.html', 'nav.plans'],
  ['rules', 'rules.html', 'nav.rules'],
  ['directories', 'directories.html', 'nav.directories'],
  ['log', 'log.html', 'nav.log'],
  ['how', 'how.html', 'nav.how'],
];

/** Where the ICP filing number is looked up (the ministry's register). */
const ICP_REGISTER = 'https://beian.miit.gov.cn/';

/** The other language, to switch to; the button is written in it. */
const otherLang = () => (getLang() === 'en' ? 'zh-CN' : 'en');

/** @param {string} page the page's name (data-page on <body>) */
function siteHeader(page) {
  return h(
    'header',
    { class: 'site-header' },
    h(
      'div',
      { class: 'wrap header-inner' },
      h(
        'a',
        { class: 'brand', href: 'index.html' },
        h('span', { class: 'brand-name' }, 'opendraw'),
        ' ',
        h('span', { class: 'brand-tagline' }, tx('site.tagline')),
      ),
      h(
        'button',
        {
          type: 'button',
          id: 'lang-switch',
          title: () => t('lang.switch.title'),
          lang: otherLang,
          onclick: () => setLang(getLang() === 'en' ? 'zh' : 'en'),
        },
        tx('lang.switch'),
      ),
    ),
    h(
      'nav',
      { class: 'site-nav', 'aria-label': () => t('nav.label') },
      h(
        'ul',
        { class: 'wrap' },
        NAVIGATION.map(([name, href, key]) =>
          h('li', {}, h('a', { href, 'data-page': name, 'aria-current': name === page ? 'page' : null }, tx(key))),
        ),
      ),
    ),
  );
}

function siteFooter() {
  return h(
    'footer',
    { class: 'site-footer' },
    h(
      'div',
      { class: 'wrap' },
      h('div', { id: 'site-branding', hidden: true }),
      h('p', {}, tx('footer.text')),
      h('p', {}, h('a', { href: '/api/openapi.json' }, tx('footer.api'))),
    ),
  );
}

/**
 * The branding lines of the footer; only the fields the server filled in.
 * @param {Branding} branding
 */
function brandingLines(branding) {
  const text = (/** @type {unknown} */ value) => (typeof value === 'string' ? value.trim() : '');
  const authority = { zh: text(branding.authority_zh), en: text(branding.authority_en) };
  const contact = text(branding.contact);
  const objection = text(branding.objection_channel);
  const icp = text(branding.icp_filing);
  return [
    authority.zh || authority.en
      ? h('p', { class: 'footer-authority' }, () => t('footer.authority', { name: pick({ en: authority.en || authority.zh, zh: authority.zh || authority.en }) }))
      : null,
    contact ? h('p', { class: 'footer-contact' }, () => t('footer.contact', { contact })) : null,
    objection ? h('p', { class: 'footer-objection' }, () => t('footer.objection', { channel: objection })) : null,
    icp ? h('p', { class: 'footer-icp' }, h('a', { href: ICP_REGISTER, rel: 'noopener' }, icp)) : null,
  ].filter(Boolean);
}

/**
 * Puts the header before and the footer after the page's own content.
 * @param {string} page
 */
export function renderChrome(page) {
  const skip = h('a', { class: 'skip', href: '#main' }, tx('skip'));
  document.body.prepend(skip, siteHeader(page));
  document.body.append(siteFooter());
}

/**
 * Adds the authority's branding to the footer (kept as it is without).
 * @param {Branding | null | undefined} branding
 */
export function showBranding(branding) {
  const box = $('#site-branding');
  if (!box || !branding) return;
  const lines = brandingLines(branding);
  if (!lines.length) return;
  fill(box, lines);
  box.hidden = false;
}
