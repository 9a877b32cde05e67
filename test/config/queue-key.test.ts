import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/config/config-check.js';
import { loadConfig } from '../../src/config/gateway-config.js';
import { projectRoot } from '../support/paths.js';

const file = path.join(projectRoot, 'config/default.yaml');
const KEY = 'ab'.repeat(32);

/** The queue key is configuration like REDIS_URL: read once, by loadConfig, never deep inside. */
describe('queue.encryptionKey', () => {
  it('comes from XMELD_QUEUE_KEY, and is absent without it', () => {
    expect(loadConfig(file, { XMELD_QUEUE_KEY: KEY }).queue.encryptionKey).toBe(KEY);
    expect(loadConfig(file, {}).queue.encryptionKey).toBeUndefined();
  });

  it('is masked in what `config check` prints', () => {
    const shown = maskSecrets(loadConfig(file, { XMELD_QUEUE_KEY: KEY }));
    expect(shown.queue.encryptionKey).toBe('***');
    expect(JSON.stringify(shown)).not.toContain(KEY);
    // Names of key files stay readable: only values that are secrets themselves are masked.
    expect(shown.security.testPki).toBe(loadConfig(file, {}).security.testPki);
  });
});
