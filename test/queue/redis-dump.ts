import type { Redis } from 'ioredis';
import { keysOf } from './support.js';

export interface DumpedKey {
  key: string;
  type: string;
  /** Every member, field, value and stream entry of the key, as text. */
  texts: string[];
}

/** Reads every key under the prefix, whatever its type, so a test can search all of it. */
export async function dumpPrefix(redis: Redis, prefix: string): Promise<DumpedKey[]> {
  const out: DumpedKey[] = [];
  for (const key of await keysOf(redis, prefix)) {
    const type = await redis.type(key);
    const texts: string[] = [];
    switch (type) {
      case 'string':
        texts.push((await redis.getBuffer(key))?.toString('utf8') ?? '');
        break;
      case 'hash':
        for (const [f, v] of Object.entries(await redis.hgetallBuffer(key))) texts.push(f, v.toString('utf8'));
        break;
      case 'list':
        texts.push(...(await redis.lrangeBuffer(key, 0, -1)).map((b) => b.toString('utf8')));
        break;
      case 'set':
        texts.push(...(await redis.smembersBuffer(key)).map((b) => b.toString('utf8')));
        break;
      case 'zset':
        texts.push(...(await redis.zrangeBuffer(key, '0', '-1')).map((b) => b.toString('utf8')));
        break;
      case 'stream':
        for (const [id, fields] of await redis.xrangeBuffer(key, '-', '+')) {
          texts.push(id.toString('utf8'), ...fields.map((b) => b.toString('utf8')));
        }
        break;
      case 'none':
        continue; // expired or deleted between SCAN and TYPE
      default:
        texts.push(`<unexpected type ${type}>`);
    }
    out.push({ key, type, texts });
  }
  return out;
}

/** Stream entries as field maps, e.g. [{event: 'completed', jobId: '…', returnvalue: 'null'}]. */
export async function streamEntries(redis: Redis, key: string): Promise<Record<string, string>[]> {
  return (await redis.xrange(key, '-', '+')).map(([, fields]) => {
    const entry: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) entry[fields[i] ?? ''] = fields[i + 1] ?? '';
    return entry;
  });
}
