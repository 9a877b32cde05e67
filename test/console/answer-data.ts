import { XmlDocument } from 'libxml2-wasm';

/**
 * The answer's personal data that the query did not carry: every text of the persons in a
 * 1331 (names, dates, addresses, …) that does not occur in the query. None of it may appear in
 * the console.
 */
export function answerOnlyTexts(answerEnvelope: string, query: string): string[] {
  const doc = XmlDocument.fromString(answerEnvelope);
  try {
    const persons = doc.find('//*[local-name()="person"]//text()');
    const texts = persons.map((n) => n.content.trim()).filter((t) => t.length >= 4 && !/^[0-9]{1,3}$/.test(t));
    return [...new Set(texts)].filter((t) => !query.includes(t));
  } finally {
    doc.dispose();
  }
}
