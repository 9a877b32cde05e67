/**
 * The official XMeld 25.11a schemas — the real closure with every XInneres/XÖV import, resolved
 * offline through ../shared/xmeld/25.11a/official/catalog.xml (see test/support/official-closure.ts)
 * — for checking the simulated registers' output. One compiled validator per process, owned by
 * that module: do not dispose it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { XsdValidator } from 'libxml2-wasm';
import { officialMessagesSchema } from '../support/official-closure.js';
import { sharedDir } from '../support/paths.js';

export const officialSchemasAvailable = existsSync(path.join(sharedDir, 'xmeld/25.11a/official/catalog.xml'));

export function loadOfficialValidator(release: '25.11a' | '26.11' = '25.11a'): XsdValidator {
  return officialMessagesSchema(release);
}
