// @ts-check
// The staff console's entry point: finds out who is signed in, draws the
// header and the navigation for their role, and hands the page to the
// router. Areas (areas/*.js) bring their routes and navigation entries.

import { $, fill, h, tx } from '../lib/dom.js';
import { addMessages, applyStatic, getLang, onLangChange, setLang, t } from '../lib/i18n.js';
import * as account from './areas/account.js';
import * as admin from './areas/admin.js';
import * as dashboard from './areas/dashboard.js';
import * as directories from './areas/directories.js';
import * as inspections from './areas/inspections.js';
import * as plans from './areas/plans.js';
import * as review from './areas/review.js';
import * as tasks from './areas/tasks.js';
import { settleAtSignOut, startSending } from './drafts.js';
import enErrors from './i18n/en/errors.js';
import en from './i18n/en/shell.js';
import zhErrors from './i18n/zh/errors.js';
import zh from './i18n/zh/shell.js';
import { addRoutes, go, render, setFallback } from './router.js';
import { onSignedOut, restore, signOut, user } from './session.js';

addMessages({ zh, en });
// The server's refusals, by their code (forms.js refusal()).
addMessages({ zh: zhErrors, en: enErrors });

/** @typedef {{href: string, label: string, roles: Array<import('./session.js').User['role']>}} NavEntry */

const AREAS = [dashboard, inspections, plans, tasks, review, directories, admin, account];
for (const area of AREAS) addRoutes(area.routes);
setFallback(dashboard.home);

/** Draws the navigation and the account box for the signed-in user (none when signed out). */
function drawChrome() {
  const me = user();
  const nav = $('#console-nav');
  const list = $('#console-nav-list');
  const box = $('#account');
  if (!me) {
    nav.hidden = true;
    box.hidden = true;
    list.replaceChildren();
    box.replaceChildren();
    return;
  }
  /** @type {NavEntry[]} */
  const entries = AREAS.flatMap((area) => area.nav).filter((entry) => entry.roles.includes(me.role));
  fill(
    list,
    entries.map((entry) => h('li', {}, h('a', { href: entry.href }, tx(entry.label)))),
  );
  nav.hidden = false;
  fill(
    box,
    h('a', { href: '#/account', class: 'account-name' }, me.name),
    ' ',
    h('span', { class: 'account-role' }, () => t(`console.role.${me.role}`)),
    ' ',
    h('button', { type: 'button', class: 'link-button', id: 'sign-out', onclick: leave }, tx('console.signout')),
  );
  box.hidden = false;
}

async function leave() {
  // Result drafts typed here are sent first; those the server has are
  // forgotten, those it has not are kept (and the inspector warned).
  const waiting = await settleAtSignOut();
  if (waiting && !window.confirm(t('inspector.signout.waiting', { count: waiting }))) return;
  await signOut().catch(() => {});
  drawChrome();
  go('#/sign-in?signed_out=1');
}

function setupLanguageSwitch() {
  const button = $('#lang-switch');
  const label = () => {
    button.textContent = getLang() === 'en' ? '中文' : 'English';
    button.setAttribute('lang', getLang() === 'en' ? 'zh-CN' : 'en');
    button.title = t('console.lang.switch');
  };
  label();
  onLangChange(label);
  button.addEventListener('click', () => setLang(getLang() === 'en' ? 'zh' : 'en'));
}

/** Every page change: signed-out visitors see the sign-in page, whatever they asked for. */
async function route() {
  const signInPage = window.location.hash.startsWith('#/sign-in');
  if (!user() && !signInPage) {
    const back = window.location.hash.replace(/^#/, '') || '/';
    window.location.replace(`#/sign-in?next=${encodeURIComponent(back)}`);
    return;
  }
  drawChrome();
  if (user()) startSending();
  await render();
}

async function start() {
  applyStatic();
  setupLanguageSwitch();
  onLangChange(() => {
    const heading = document.querySelector('#main h1');
    if (heading) document.title = `${heading.textContent} — ${t('console.title')}`;
  });
  onSignedOut(() => {
    drawChrome();
    const back = window.location.hash.replace(/^#/, '') || '/';
    window.location.replace(`#/sign-in?expired=1&next=${encodeURIComponent(back)}`);
  });
  try {
    await restore();
  } catch (_) {
    /* the server did not answer: the sign-in page says so when it is tried */
  }
  window.addEventListener('hashchange', route);
  await route();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
