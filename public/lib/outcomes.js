// @ts-check
// The fixed vocabulary of inspection outcomes, in both languages, from the
// server (the national record's wording is its to keep).

import { api } from './api.js';
import { getLang } from './i18n.js';

// The fixed vocabulary of inspection outcomes, in both languages, from the
// server (the national record's wording is its to keep).
let outcomesRequest = null;
const outcomeNames = new Map();

/**
 * Loads the outcome vocabulary once; resolves to [{code, label_zh, label_en}] ([] if unavailable).
 * @returns {Promise<Array<{code: string, label_zh: string, label_en: string}>>}
 */
export function loadOutcomes() {
  if (!outcomesRequest) {
    outcomesRequest = api('/api/public/outcomes')
      .then((outcomes) => {
        for (const outcome of outcomes) outcomeNames.set(outcome.code, outcome);
        return outcomes;
      })
      .catch(() => {
        outcomesRequest = null;
        return [];
      });
  }
  return outcomesRequest;
}

/**
 * An outcome code's label in the current language; `fallback` (the record's own label) until the vocabulary is known.
 * @param {string} code
 * @param {string} [fallback]
 * @returns {string}
 */
export function outcomeLabel(code, fallback) {
  const known = outcomeNames.get(code);
  if (known) return getLang() === 'zh' ? known.label_zh : known.label_en;
  return fallback || code;
}
