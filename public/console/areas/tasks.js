// @ts-check
// The console's tasks pages.

/** @type {import('../router.js').Route[]} */
export const routes = [];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [];
