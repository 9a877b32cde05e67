import { RejectedMessageError } from '../errors.js';

/**
 * What one message may contain, checked in one linear pass over the bytes before libxml2
 * builds a tree. The bounds exist because steps after parsing are not linear in everything:
 * libxml2's canonicalization sorts each element's attributes and namespace declarations by
 * insertion into a list, quadratic in their number per element (measured: 5,000 attributes
 * 0.15 s, 20,000 1.3 s, 100,000 a minute), and it runs before a signature can be checked.
 * With at most `maxAttributesPerElement` per element every later step is linear in the message.
 */
export interface StructureLimits {
  maxElements: number;
  maxDepth: number;
  /** Attributes per element, namespace declarations included. */
  maxAttributesPerElement: number;
  maxAttributes: number;
  maxNamespaceDeclarations: number;
  /** Element and attribute names, prefix included, in bytes. */
  maxNameBytes: number;
  /** One text node, CDATA section or comment, in bytes (as written, entities unexpanded). */
  maxTextBytes: number;
  maxAttributeValueBytes: number;
  /** Id attributes (`Id`, `ID`, `wsu:Id`, …) in the message. */
  maxIds: number;
}

/** For messages from callers: a 1330/1332 in WS-Security has some 200 elements. */
export const REQUEST_STRUCTURE_LIMITS: StructureLimits = {
  maxElements: 5_000,
  maxDepth: 64,
  maxAttributesPerElement: 32,
  maxAttributes: 10_000,
  maxNamespaceDeclarations: 256,
  maxNameBytes: 256,
  maxTextBytes: 8 * 1024,
  maxAttributeValueBytes: 4 * 1024,
  maxIds: 64,
};

/** For answers of registers: Trefferlisten of up to 1,000 persons. */
export const ANSWER_STRUCTURE_LIMITS: StructureLimits = {
  ...REQUEST_STRUCTURE_LIMITS,
  maxElements: 500_000,
  maxAttributes: 1_000_000,
  maxNamespaceDeclarations: 50_000,
  maxTextBytes: 64 * 1024,
};

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const EQ = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const COMMENT_START = Buffer.from('<!--');
const CDATA_START = Buffer.from('<![CDATA[');

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function over(what: string, limit: number): never {
  throw new RejectedMessageError('S999', `Nachricht überschreitet die Grenzen: ${what} (höchstens ${limit})`);
}

/**
 * Throws RejectedMessageError S999 naming the first bound the message exceeds. Anything the
 * scan cannot read as markup ends the scan: well-formedness is libxml2's verdict, not this one's.
 */
export function checkStructure(b: Uint8Array, limits: StructureLimits): void {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let elements = 0;
  let depth = 0;
  let attributes = 0;
  let nsDeclarations = 0;
  let ids = 0;
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const lt = buf.indexOf(LT, i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd - i > limits.maxTextBytes) over('Text zu lang', limits.maxTextBytes);
    if (lt < 0) return;
    i = lt;
    const next = buf[i + 1];
    if (next === QUESTION) {
      const end = buf.indexOf('?>', i + 2);
      if (end < 0) return;
      if (end - i > limits.maxTextBytes) over('Verarbeitungsanweisung zu lang', limits.maxTextBytes);
      i = end + 2;
    } else if (next === BANG) {
      const comment = buf.subarray(i, i + 4).equals(COMMENT_START);
      const cdata = !comment && buf.subarray(i, i + 9).equals(CDATA_START);
      const end = comment ? buf.indexOf('-->', i + 4) : cdata ? buf.indexOf(']]>', i + 9) : buf.indexOf(GT, i + 2);
      if (end < 0) return;
      if (end - i > limits.maxTextBytes) over(comment ? 'Kommentar zu lang' : 'Text zu lang', limits.maxTextBytes);
      i = end + (comment || cdata ? 3 : 1);
    } else if (next === SLASH) {
      const end = buf.indexOf(GT, i + 2);
      if (end < 0) return;
      depth--;
      i = end + 1;
    } else {
      // A start tag: name, then name="value" pairs, then > or />.
      let j = i + 1;
      while (j < n && !isSpace(buf[j]) && buf[j] !== GT && buf[j] !== SLASH) j++;
      if (j - i - 1 > limits.maxNameBytes) over('Elementname zu lang', limits.maxNameBytes);
      if (++elements > limits.maxElements) over('zu viele Elemente', limits.maxElements);
      if (depth + 1 > limits.maxDepth) over('zu tief verschachtelt', limits.maxDepth);
      let own = 0;
      for (;;) {
        while (j < n && isSpace(buf[j])) j++;
        if (j >= n) return;
        const c = buf[j];
        if (c === GT) {
          depth++;
          j++;
          break;
        }
        if (c === SLASH) {
          if (buf[j + 1] !== GT) return;
          j += 2;
          break;
        }
        const nameStart = j;
        while (j < n && !isSpace(buf[j]) && buf[j] !== EQ && buf[j] !== GT) j++;
        const nameBytes = j - nameStart;
        if (nameBytes === 0 || nameBytes > limits.maxNameBytes) {
          if (nameBytes > limits.maxNameBytes) over('Attributname zu lang', limits.maxNameBytes);
          return;
        }
        while (j < n && isSpace(buf[j])) j++;
        if (buf[j] !== EQ) return;
        j++;
        while (j < n && isSpace(buf[j])) j++;
        const quote = buf[j];
        if (quote !== DQUOTE && quote !== SQUOTE) return;
        const close = buf.indexOf(quote, j + 1);
        if (close < 0) return;
        const valueBytes = close - j - 1;
        if (valueBytes > limits.maxAttributeValueBytes) over('Attributwert zu lang', limits.maxAttributeValueBytes);
        if (++own > limits.maxAttributesPerElement) over('zu viele Attribute an einem Element', limits.maxAttributesPerElement);
        if (++attributes > limits.maxAttributes) over('zu viele Attribute', limits.maxAttributes);
        const name = buf.toString('latin1', nameStart, nameStart + nameBytes);
        if (name === 'xmlns' || name.startsWith('xmlns:')) {
          if (++nsDeclarations > limits.maxNamespaceDeclarations) over('zu viele Namensraumdeklarationen', limits.maxNamespaceDeclarations);
        } else if (isIdName(name)) {
          if (++ids > limits.maxIds) over('zu viele Id-Attribute', limits.maxIds);
        }
        j = close + 1;
      }
      i = j;
    }
  }
}

function isIdName(name: string): boolean {
  const local = name.slice(name.indexOf(':') + 1);
  return local === 'Id' || local === 'ID' || local === 'id';
}
