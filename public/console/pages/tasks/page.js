// @ts-check
// Putting a page together: parts that may be absent (null) are left out,
// as h() leaves them out of an element.

/**
 * Appends `children` to `parent`, leaving out null, undefined and false.
 * @param {HTMLElement} parent
 * @param {...any} children
 */
export function append(parent, ...children) {
  parent.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}
