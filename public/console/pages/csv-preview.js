// @ts-check
// The first rows of a CSV file, read in the browser before it is sent, so
// that a supervisor sees what they are about to import (the right file, the
// right columns) without waiting for the server. Only the start of the file
// is read: a directory file may be hundreds of megabytes.

/** Bytes read for the preview. */
const PREVIEW_BYTES = 64 * 1024;

/**
 * @typedef {{header: string[], rows: string[][], utf8: boolean, more: boolean}} Preview
 * `utf8` false when the start of the file is not UTF-8 (a spreadsheet's
 * "CSV" in GBK, say); `more` when the file goes on past the rows read.
 */

/**
 * The header and up to `count` rows of `file`.
 * @param {Blob} file
 * @param {number} count
 * @returns {Promise<Preview>}
 */
export async function previewCsv(file, count) {
  const { text, utf8 } = await readStart(file, PREVIEW_BYTES);
  const records = parseCsv(text, count + 2);
  const complete = file.size <= PREVIEW_BYTES;
  // A record cut by the end of the slice is not shown.
  if (!complete && records.length > count + 1) records.length = count + 1;
  const [header = [], ...rows] = records.filter((record) => !(record.length === 1 && record[0] === ''));
  return { header, rows: rows.slice(0, count), utf8, more: !complete || rows.length > count };
}

/**
 * The text of the first `size` bytes of `file`, without a byte order mark;
 * `utf8` false when they are not UTF-8 (then decoded with replacement
 * characters, for showing only).
 * @param {Blob} file
 * @param {number} size
 * @returns {Promise<{text: string, utf8: boolean}>}
 */
export async function readStart(file, size) {
  const bytes = new Uint8Array(await file.slice(0, size).arrayBuffer());
  let text;
  let utf8 = true;
  try {
    // `stream: true` keeps a character cut by the slice from counting as an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch (_) {
    utf8 = false;
    text = new TextDecoder('utf-8').decode(bytes);
  }
  return { text: text.replace(/^\uFEFF/, ''), utf8 };
}

/**
 * At most `limit` records of `text` (RFC 4180: quoted fields may hold
 * commas, quotes doubled, and line breaks).
 * @param {string} text
 * @param {number} limit
 * @returns {string[][]}
 */
export function parseCsv(text, limit) {
  /** @type {string[][]} */
  const records = [];
  /** @type {string[]} */
  let record = [];
  let value = '';
  let quoted = false;
  let i = 0;
  while (i < text.length && records.length < limit) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        value += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else value += c;
      i += 1;
      continue;
    }
    if (c === '"' && value === '') quoted = true;
    else if (c === ',') {
      record.push(value);
      value = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      record.push(value);
      records.push(record);
      record = [];
      value = '';
    } else value += c;
    i += 1;
  }
  if (records.length < limit && (value !== '' || record.length)) {
    record.push(value);
    records.push(record);
  }
  return records;
}
