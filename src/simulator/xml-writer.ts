/**
 * A minimal XML tree writer for the simulator's messages: escaped text and attributes,
 * two-space indentation, and raw fragments for content copied from elsewhere (gw:vorgang).
 */

export interface XmlNodeSpec {
  name: string;
  attrs?: Readonly<Record<string, string>>;
  children?: readonly (XmlNodeSpec | RawXml)[];
  text?: string;
}

export interface RawXml {
  raw: string;
}

export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}

export type Content = XmlNodeSpec | RawXml | string | undefined | false | readonly Content[];

function flatten(content: readonly Content[], into: (XmlNodeSpec | RawXml | string)[]): void {
  for (const c of content) {
    if (c === undefined || c === false) continue;
    if (Array.isArray(c)) flatten(c as readonly Content[], into);
    else into.push(c as XmlNodeSpec | RawXml | string);
  }
}

/** Element with attributes: `ela('a', { x: '1' }, el('b', 'text'))`. Falsy children are skipped. */
export function ela(name: string, attrs: Readonly<Record<string, string>>, ...content: Content[]): XmlNodeSpec {
  const parts: (XmlNodeSpec | RawXml | string)[] = [];
  flatten(content, parts);
  const texts = parts.filter((p): p is string => typeof p === 'string');
  const children = parts.filter((p): p is XmlNodeSpec | RawXml => typeof p !== 'string');
  return {
    name,
    ...(Object.keys(attrs).length ? { attrs } : {}),
    ...(children.length ? { children } : {}),
    ...(texts.length ? { text: texts.join('') } : {}),
  };
}

/** Element without attributes: `el('a', el('b', 'text'))`. */
export function el(name: string, ...content: Content[]): XmlNodeSpec {
  return ela(name, {}, ...content);
}

/** Codes are `<elem listURI=… listVersionID=…><code>…</code></elem>`; `code` is unqualified. */
export function code(name: string, value: string, listURI?: string, listVersionID?: string): XmlNodeSpec {
  const attrs: Record<string, string> = {};
  if (listURI) attrs.listURI = listURI;
  if (listVersionID) attrs.listVersionID = listVersionID;
  return ela(name, attrs, el('code', value));
}

export function render(node: XmlNodeSpec | RawXml, indent = 0): string {
  const pad = '  '.repeat(indent);
  if ('raw' in node) return pad + node.raw;
  const attrs = Object.entries(node.attrs ?? {})
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  const open = `${pad}<${node.name}${attrs}`;
  if (node.children?.length) {
    const inner = node.children.map((c) => render(c, indent + 1)).join('\n');
    return `${open}>\n${inner}\n${pad}</${node.name}>`;
  }
  if (node.text !== undefined) return `${open}>${escapeText(node.text)}</${node.name}>`;
  return `${open}/>`;
}

export function renderDocument(node: XmlNodeSpec): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(node)}\n`;
}
