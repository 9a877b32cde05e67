import { XmlCData, XmlElement, XmlText, type XmlTreeNode } from 'libxml2-wasm';
import { escapeAttr, escapeText } from '../../xml/escape.js';

/**
 * Writes a parsed element out again with one namespace URI exchanged for another, keeping every
 * prefix as it was: the XML of a message in another XMeld release differs from the original in
 * its namespace URI, not in its names. Comments and processing instructions are left out (what
 * is written is a new message, signed anew); CDATA becomes text.
 */
export class ElementWriter {
  private readonly parts: string[] = [];

  constructor(private readonly fromNs: string, private readonly toNs: string) {}

  /** The element with its subtree; `attrs` overrides (or, as null, removes) attributes by name. */
  copy(el: XmlElement, opts: { attrs?: Record<string, string | null>; top?: boolean; children?: (child: XmlElement) => void } = {}): void {
    this.open(el, opts);
    for (let n: XmlTreeNode | null = el.firstChild; n !== null; n = n.next) {
      if (n instanceof XmlElement) {
        if (opts.children) opts.children(n);
        else this.copy(n);
      } else if (n instanceof XmlText || n instanceof XmlCData) {
        this.parts.push(escapeText(n.content));
      }
    }
    this.close(el);
  }

  /** The start tag of `el` (its own namespace declarations, remapped; all in scope when `top`). */
  open(el: XmlElement, opts: { attrs?: Record<string, string | null>; top?: boolean } = {}): void {
    this.parts.push(`<${qname(el)}`);
    const declared = opts.top ? el.namespaces : el.nsDeclarations;
    for (const [prefix, uri] of Object.entries(declared)) {
      if (prefix === 'xml') continue;
      const name = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
      this.parts.push(` ${name}="${escapeAttr(uri === this.fromNs ? this.toNs : uri)}"`);
    }
    const overrides = opts.attrs ?? {};
    for (const a of el.attrs) {
      const name = a.prefix ? `${a.prefix}:${a.name}` : a.name;
      if (name in overrides) continue;
      this.parts.push(` ${name}="${escapeAttr(a.value)}"`);
    }
    for (const [name, value] of Object.entries(overrides)) {
      if (value !== null) this.parts.push(` ${name}="${escapeAttr(value)}"`);
    }
    this.parts.push('>');
  }

  close(el: XmlElement): void {
    this.parts.push(`</${qname(el)}>`);
  }

  /** A new element in the namespace of `like` (same prefix), around `inner`. */
  wrapAs(like: XmlElement, localName: string, inner: () => void): void {
    const name = like.prefix ? `${like.prefix}:${localName}` : localName;
    this.parts.push(`<${name}>`);
    inner();
    this.parts.push(`</${name}>`);
  }

  /** A code element `<name><code>value</code></name>` in the namespace of `like`. */
  codeAs(like: XmlElement, localName: string, value: string, attrs: Record<string, string> = {}): void {
    const name = like.prefix ? `${like.prefix}:${localName}` : localName;
    const attrText = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
    this.parts.push(`<${name}${attrText}><code>${escapeText(value)}</code></${name}>`);
  }

  /** `el`'s subtree under another local name (same prefix and attributes). */
  copyRenamed(el: XmlElement, localName: string): void {
    const renamed = el.prefix ? `${el.prefix}:${localName}` : localName;
    const start = this.parts.length;
    this.copy(el);
    // Only the outermost start and end tag carry the element's own name.
    const first = this.parts[start] as string;
    this.parts[start] = `<${renamed}${first.slice(qname(el).length + 1)}`;
    this.parts[this.parts.length - 1] = `</${renamed}>`;
  }

  toString(): string {
    return this.parts.join('');
  }
}

function qname(el: XmlElement): string {
  return el.prefix ? `${el.prefix}:${el.name}` : el.name;
}
