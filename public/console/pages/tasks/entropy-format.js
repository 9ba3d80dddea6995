// @ts-check
// The entropy formats a commitment fixes (dice, digits, hex), checked as
// the server checks them (EntropyFormat in the protocol's commitment), so
// that a wrong character is named while it is typed, not after the draw
// is refused.

import { t } from '../../../lib/i18n.js';

/** @type {Record<string, (c: string) => boolean>} */
const ALLOWS = {
  dice: (c) => c >= '1' && c <= '6',
  digits: (c) => c >= '0' && c <= '9',
  hex: (c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'),
};

export const FORMATS = Object.keys(ALLOWS);

/** The source a drand plan names: the beacon's chain (PROTOCOL.md §3.6). */
export const DRAND_SOURCE = 'League of Entropy drand quicknet';

/**
 * What is wrong with `entropy` in `format` for a task that needs at least
 * `min` characters, or null when it can be drawn with.
 * @param {string} format
 * @param {string} entropy
 * @param {number} min
 * @returns {{problem: 'empty' | 'character' | 'short', message: () => string} | null}
 *   `message` gives the problem in the current language.
 */
export function entropyProblem(format, entropy, min) {
  const allows = ALLOWS[format];
  if (!entropy) return { problem: 'empty', message: () => t('tasks.entropy.empty') };
  const characters = [...entropy];
  const bad = allows ? characters.findIndex((c) => !allows(c)) : -1;
  if (bad >= 0) {
    const shown = () => (characters[bad] === ' ' ? t('tasks.entropy.space') : `“${characters[bad]}”`);
    return {
      problem: 'character',
      message: () => t('tasks.entropy.bad', { character: shown(), position: bad + 1, rule: t(`tasks.format.rule.${format}`) }),
    };
  }
  if (characters.length < min) {
    return { problem: 'short', message: () => t('tasks.entropy.short', { count: characters.length, min }) };
  }
  return null;
}
