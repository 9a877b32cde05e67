/**
 * Protocol export as NDJSON: one JSON object per line, streamed. Chosen over a JSON array
 * because every line stands alone — readers (jq -c, line-by-line loaders) need no more memory
 * than one record, whatever the size of the export.
 */
import type { ProtocolRecord } from './protocol-record.js';
import { jsonForm } from './record-fields.js';

export function ndjsonLine(r: ProtocolRecord): string {
  return `${JSON.stringify(jsonForm(r))}\n`;
}

export async function* toNdjson(records: AsyncIterable<ProtocolRecord>): AsyncGenerator<string> {
  for await (const r of records) yield ndjsonLine(r);
}
