// @ts-check
// Charts as inline SVG, drawn here without any library: horizontal bars for
// counts by category, grouped columns for a monthly series, and one bar
// split into shares. Horizontal positions are percentages of the width and
// vertical ones pixels, so the chart fills any width while its text keeps
// its size — legible on a phone. Every chart is role="img" with a <title>
// and a <desc> that says all its numbers; the pages add a data table too.
// Each bar carries data-key and data-value for whoever reads the page.

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element; children are strings, nodes, arrays, or null. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let serial = 0;

function frame({ height, title, desc, className }, ...content) {
  const id = `chart-${++serial}`;
  return svg(
    'svg',
    {
      class: `chart ${className}`,
      width: '100%',
      height,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      focusable: 'false',
    },
    svg('title', { id: `${id}-title` }, title),
    svg('desc', { id: `${id}-desc` }, desc),
    ...content,
  );
}

const round = (x) => Math.round(x * 100) / 100;

/**
 * Horizontal bars, one row per category: its label above, the bar below
 * with the value at its end. rows: [{key, label, value, tone}].
 */
export function barChart({ title, desc, rows }) {
  const ROW = 48;
  const BAR_TOP = 22;
  const BAR = 18;
  const WIDEST = 86; // percent of the width; the rest leaves room for the value
  const max = Math.max(1, ...rows.map((r) => r.value));
  const bars = rows.map((r, i) => {
    const y = i * ROW;
    const width = r.value > 0 ? Math.max(0.75, (r.value / max) * WIDEST) : 0;
    return svg(
      'g',
      { class: 'bar', 'data-key': r.key, 'data-value': r.value },
      svg('text', { class: 'chart-label', x: 0, y: y + 15 }, r.label),
      svg('rect', { class: 'chart-track', x: 0, y: y + BAR_TOP, width: `${WIDEST}%`, height: BAR, rx: 2 }),
      svg('rect', { class: 'chart-bar', 'data-tone': r.tone || null, x: 0, y: y + BAR_TOP, width: `${round(width)}%`, height: BAR, rx: 2 }),
      svg('text', { class: 'chart-value', x: `${round(width)}%`, dx: 6, y: y + BAR_TOP + 14 }, String(r.value)),
    );
  });
  return frame({ height: Math.max(1, rows.length) * ROW, title, desc, className: 'chart-bars' }, bars);
}

/**
 * Grouped columns: for each category (e.g. a month) one column per series.
 * categories: [{key, label, sublabel}], series: [{key, tone}],
 * value(category, series) → number.
 */
export function columnChart({ title, desc, categories, series, value }) {
  const TOP = 22;
  const BASE = 182;
  const n = Math.max(1, categories.length);
  const group = 100 / n;
  const column = Math.min((group * 0.72) / series.length, 7);
  const max = Math.max(1, ...categories.flatMap((c) => series.map((s) => value(c, s))));
  const showValues = n <= 12;
  const groups = categories.map((c, i) => {
    const centre = group * (i + 0.5);
    const left = centre - (column * series.length) / 2;
    const columns = series.map((s, j) => {
      const v = value(c, s);
      const height = ((BASE - TOP) * v) / max;
      const x = left + j * column;
      return svg(
        'g',
        { class: 'bar', 'data-key': `${c.key}/${s.key}`, 'data-value': v },
        svg('rect', { class: 'chart-bar', 'data-tone': s.tone, x: `${round(x + column * 0.06)}%`, y: round(BASE - height), width: `${round(column * 0.88)}%`, height: round(height) }),
        showValues
          ? svg('text', { class: 'chart-value', x: `${round(x + column / 2)}%`, y: round(BASE - height - 5), 'text-anchor': 'middle' }, String(v))
          : null,
      );
    });
    return svg(
      'g',
      { class: 'group', 'data-key': c.key },
      columns,
      svg('text', { class: 'chart-label', x: `${round(centre)}%`, y: BASE + 18, 'text-anchor': 'middle' }, c.label),
      c.sublabel ? svg('text', { class: 'chart-sublabel', x: `${round(centre)}%`, y: BASE + 35, 'text-anchor': 'middle' }, c.sublabel) : null,
    );
  });
  return frame(
    { height: BASE + 42, title, desc, className: 'chart-columns' },
    svg('line', { class: 'chart-axis', x1: 0, x2: '100%', y1: BASE + 0.5, y2: BASE + 0.5 }),
    groups,
  );
}

/** One bar split into shares of a whole. parts: [{key, label, value, tone}]. */
export function shareBar({ title, desc, parts }) {
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  let x = 0;
  const segments = parts.map((p) => {
    const width = total ? (100 * p.value) / total : 0;
    const segment = svg(
      'g',
      { class: 'bar', 'data-key': p.key, 'data-value': p.value },
      svg('rect', { class: 'chart-bar', 'data-tone': p.tone, x: `${round(x)}%`, y: 0, width: `${round(width)}%`, height: 32 }),
    );
    x += width;
    return segment;
  });
  return frame(
    { height: 32, title, desc, className: 'chart-share' },
    svg('rect', { class: 'chart-track', x: 0, y: 0, width: '100%', height: 32 }),
    segments,
  );
}
