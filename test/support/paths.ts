import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root and the shared reference material beside it (never copied in). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(projectRoot, '../shared');
export const vectorsDir = path.join(sharedDir, 'vectors');
export const samplesDir = path.join(sharedDir, 'xmeld/25.11a/samples');
/** The official sample messages of a release. */
export const samplesDirOf = (release: '25.11a' | '26.11'): string => path.join(sharedDir, 'xmeld', release, 'samples');
export const fixturesDir = path.join(projectRoot, 'fixtures');
