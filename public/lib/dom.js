// @ts-check
// Building the page: h() creates elements whose texts and attributes may be
// functions, re-evaluated on every language switch, so switching never
// reloads the page or loses its state.

import { onLangChange, t } from './i18n.js';

/** @typedef {Node | string | number | null | undefined | false | (() => any) | any[]} Child */

// Texts and attributes that depend on the language: re-evaluated on a
// switch; entries whose node has left the document are dropped then.
/** @type {Array<{node: Node, apply: () => void}>} */
let bindings = [];

function refreshBindings() {
  const current = bindings;
  bindings = [];
  for (const b of current) {
    if (!b.node.isConnected) continue;
    b.apply();
    bindings.push(b);
  }
}
onLangChange(refreshBindings);

/**
 * Re-evaluates every text and attribute that h() and live() keep up to date,
 * as a language switch does: for when what they read changed otherwise
 * (e.g. names that arrived from the server after the page was drawn).
 */
export function refreshTexts() {
  refreshBindings();
}

/** @param {Node} node @param {() => void} apply */
function bind(node, apply) {
  apply();
  bindings.push({ node, apply });
  if (bindings.length > 20000) bindings = bindings.filter((b) => b.node.isConnected);
}

/** @param {Element} el @param {Child[]} children */
function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === 'function') {
      el.append(live('span', {}, child));
    } else if (child instanceof Node) {
      el.append(child);
    } else {
      el.append(document.createTextNode(String(child)));
    }
  }
}

/**
 * Creates an element. Attributes: `class`, `on<event>` (listener), `dataset`
 * (object), any other attribute; a function value is re-evaluated on every
 * language switch. Children: strings, nodes, arrays, or functions (texts or
 * nodes re-rendered on every switch).
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement & Record<string, any>}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (typeof value === 'function') {
      bind(el, () => el.setAttribute(name, String(value())));
    } else if (name === 'class') {
      el.className = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  appendChildren(el, children);
  return /** @type {any} */ (el);
}

/**
 * Replaces the children of `el` (same child forms as h()).
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function fill(el, ...children) {
  el.replaceChildren();
  appendChildren(el, children);
  return el;
}

/**
 * An element whose content is `render()`, rendered again on every language switch.
 * @param {string} tag
 * @param {Record<string, any>} attrs
 * @param {() => Child} render
 */
export function live(tag, attrs, render) {
  const el = h(tag, attrs);
  bind(el, () => {
    const out = render();
    if (typeof out === 'string' || typeof out === 'number') {
      el.textContent = String(out);
    } else {
      el.replaceChildren();
      appendChildren(el, [out]);
    }
  });
  return el;
}

/**
 * A text that follows the language: tx('key', vars) as a child of h().
 * @param {string} key
 * @param {Record<string, any>} [vars]
 */
export function tx(key, vars) {
  return () => t(key, vars);
}

/**
 * The first element matching `selector`.
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {any}
 */
export const $ = (selector, root = document) => root.querySelector(selector);
