/** Escaping for text and attribute values in XML the gateway writes. */
const TEXT = /[&<>\r]/g;
const ATTR = /[&<>"\r\n\t]/g;
const ENTITY: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;',
};

export function escapeText(s: string): string {
  return s.replace(TEXT, (c) => ENTITY[c] ?? c);
}

export function escapeAttr(s: string): string {
  return s.replace(ATTR, (c) => ENTITY[c] ?? c);
}
