import { XmlDocument, XmlElement } from 'libxml2-wasm';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import type { ValidationResult } from '../../src/xml/xsd-validator.js';

let schema: ReleaseSchemas | undefined;

/**
 * Validates the XMeld message of an answer envelope against the gateway's schemas of its release: the Body's
 * message, or the 0910 inside a fault's detail.
 */
export function validateAnswerMessage(body: string): ValidationResult {
  schema ??= ReleaseSchemas.load();
  const doc = XmlDocument.fromString(body);
  try {
    const rts = doc.get('//*[local-name()="administration.returntosender.0910"]');
    const message = rts ?? doc.get('/*/*[local-name()="Body"]/*');
    if (!(message instanceof XmlElement)) return { ok: false, errors: [{ reason: 'no message in the answer' }] };
    return schema.validate(message);
  } finally {
    doc.dispose();
  }
}
