import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for what crosses Redis: the job's query envelope (in the job hash while the job
 * lives) and the register's reply (on pub/sub, which stores nothing but can be watched by
 * anyone with MONITOR/SUBSCRIBE rights). Only gateway instances holding the key can read either.
 *
 * The key comes from configuration (`XMELD_QUEUE_KEY`: 32 bytes, base64 or hex) and is the
 * same on every instance meant to share work. Queues are named after the key's fingerprint
 * (`keyId`), so instances with different keys never see each other's jobs: without a configured
 * key each process draws a random one and works only its own jobs (still durable, still
 * concurrency-bounded, but no sharing and no take-over of a crashed instance's jobs); during a
 * key rotation old and new instances simply form two pools.
 */
export class PayloadSealer {
  /** Fingerprint of the key (64 bits of a labelled SHA-256): names the key's queue pool, reveals nothing of the key. */
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(key?: string | Buffer) {
    this.key = key === undefined ? randomBytes(KEY_BYTES) : parseKey(key);
    this.keyId = createHash('sha256').update('xmeld-queue-key-id').update(this.key).digest('hex').slice(0, 16);
  }

  /** Whether the key came from configuration (and so is shared by the instances). */
  static isConfigured(key: string | Buffer | undefined): boolean {
    return key !== undefined && (typeof key !== 'string' || key.trim() !== '');
  }

  /** iv ‖ ciphertext ‖ tag. `context` binds the ciphertext to its job, so it cannot be replayed onto another. */
  seal(plain: Buffer, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }

  /** Throws when the key differs or the data was altered. */
  open(sealed: Buffer, context: string): Buffer {
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed payload too short');
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  }
}

function parseKey(key: string | Buffer): Buffer {
  if (Buffer.isBuffer(key)) {
    if (key.length !== KEY_BYTES) throw new RangeError('queue key must be 32 bytes');
    return Buffer.from(key);
  }
  const text = key.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  // Fixed message: the key itself must never end up in an error or a log.
  if (bytes.length !== KEY_BYTES) throw new RangeError('queue key must be 32 bytes, given as base64 or hex');
  return bytes;
}
