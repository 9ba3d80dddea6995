// @ts-check
// A small Markdown renderer for the departments' working rules, for text
// nobody on this site wrote: it builds DOM nodes and sets only their text,
// so no markup in the source ever becomes markup on the page. It knows a
// safe subset — headings, paragraphs, ordered and unordered lists, fenced
// code, **strong**, *emphasis*, `code` and [links](https://…) to http or
// https addresses only; anything else is shown as the text it is.

/** A link's address is followed only when it is http(s). */
const SAFE_ADDRESS = /^https?:\/\/[^\s<>"]+$/i;

/** Inline tokens, earliest first: code, link, strong, emphasis. */
const INLINE = /`([^`]+)`|\[([^\]]+)\]\(([^()\s]+)\)|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*|_([^_\s][^_]*?)_/;

/**
 * @param {string} tag
 * @param {Array<Node>} [children]
 */
function el(tag, children = []) {
  const node = document.createElement(tag);
  node.append(...children);
  return node;
}

/**
 * The inline content of a line: text nodes and the few inline elements.
 * @param {string} text
 * @returns {Node[]}
 */
export function inline(text) {
  /** @type {Node[]} */
  const out = [];
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) {
      out.push(document.createTextNode(rest));
      break;
    }
    if (match.index > 0) out.push(document.createTextNode(rest.slice(0, match.index)));
    const [whole, code, label, address, strong, em, em2] = match;
    if (code !== undefined) {
      const node = el('code');
      node.textContent = code;
      out.push(node);
    } else if (label !== undefined) {
      if (SAFE_ADDRESS.test(address)) {
        const link = el('a', inline(label));
        link.setAttribute('href', address);
        link.setAttribute('rel', 'noopener noreferrer');
        out.push(link);
      } else {
        out.push(document.createTextNode(whole));
      }
    } else if (strong !== undefined) {
      out.push(el('strong', inline(strong)));
    } else {
      out.push(el('em', inline(em !== undefined ? em : em2)));
    }
    rest = rest.slice(match.index + whole.length);
  }
  return out;
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}```/;

/**
 * The blocks of a Markdown text as DOM nodes. Headings start at level
 * `top` (`#` is `top`, `##` is `top` + 1, at most h6), below the page's own.
 * @param {string} source
 * @param {number} [top]
 * @returns {Node[]}
 */
export function renderMarkdown(source, top = 3) {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  /** @type {Node[]} */
  const blocks = [];
  /** @type {string[]} */
  let paragraph = [];
  /** @type {HTMLElement | null} */
  let list = null;
  const endParagraph = () => {
    if (paragraph.length) blocks.push(el('p', inline(paragraph.join(' '))));
    paragraph = [];
  };
  const endBlocks = () => {
    endParagraph();
    list = null;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (FENCE.test(line)) {
      endBlocks();
      const code = [];
      for (i += 1; i < lines.length && !FENCE.test(lines[i]); i += 1) code.push(lines[i]);
      const node = el('code');
      node.textContent = code.join('\n');
      blocks.push(el('pre', [node]));
      continue;
    }
    if (!line.trim()) {
      endBlocks();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      endBlocks();
      const level = Math.min(6, top + heading[1].length - 1);
      blocks.push(el(`h${level}`, inline(heading[2])));
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      endParagraph();
      const tag = bullet ? 'UL' : 'OL';
      if (!list || list.tagName !== tag) {
        list = el(tag.toLowerCase());
        if (numbered && numbered[1] !== '1') list.setAttribute('start', String(Number(numbered[1])));
        blocks.push(list);
      }
      list.append(el('li', inline(bullet ? bullet[1] : /** @type {RegExpExecArray} */ (numbered)[2])));
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // A continuation of the list's last item.
      const last = /** @type {HTMLElement} */ (list.lastElementChild);
      last.append(document.createTextNode(' '), ...inline(line.trim()));
      continue;
    }
    list = null;
    paragraph.push(line.trim());
  }
  endParagraph();
  return blocks;
}
