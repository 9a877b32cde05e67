import { XmlDocument } from 'libxml2-wasm';
import { TechnicalFailureError } from '../../errors.js';
import type { MessageValidator } from '../../xml/message-validator.js';
import type { Release } from '../releases.js';
import { translateRelease } from './translate-release.js';

/**
 * A 1330/1332 (self-contained XML) in the release a register takes. The result is checked
 * against that release's schema before it leaves: a translation that the schema refuses is the
 * gateway's own fault, never the register's. BusinessRejection (17) where it cannot be asked.
 */
export function translateQuery(
  xml: string, t: { message: '1330' | '1332'; from: Release; to: Release }, validator: MessageValidator,
): string {
  const source = XmlDocument.fromString(xml);
  let translated: string;
  try {
    translated = translateRelease(source.root, t).xml;
  } finally {
    source.dispose();
  }
  const check = XmlDocument.fromString(translated);
  try {
    if (validator.verdict(check.root) !== 'valid') throw new TechnicalFailureError('internal');
  } finally {
    check.dispose();
  }
  return translated;
}
