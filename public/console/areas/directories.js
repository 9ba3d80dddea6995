// @ts-check
// The console's directories pages.

/** @type {import('../router.js').Route[]} */
export const routes = [];

/** @type {import('../main.js').NavEntry[]} */
export const nav = [];
