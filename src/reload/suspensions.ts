/**
 * Suspensions set by an operator in the console, kept apart from the configuration file so a
 * reload of the file does not undo them: in Redis where it runs (one list for every instance),
 * else in a file. They are laid over the file's `suspended` flags on every reload.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { GatewayConfig } from '../config/gateway-config.js';

export interface Suspension {
  kind: 'authority' | 'party';
  /** kennung of an authority, id of a party. */
  id: string;
  suspended: boolean;
  reason: string;
  by: string;
  /** ISO time. */
  at: string;
}

export interface SuspensionStore {
  list(): Promise<Suspension[]>;
  set(s: Suspension): Promise<void>;
}

const keyOf = (s: Pick<Suspension, 'kind' | 'id'>): string => `${s.kind}:${s.id}`;

/** The configuration with the operators' suspensions laid over it (pure). */
export function withSuspensions(config: GatewayConfig, suspensions: Suspension[]): GatewayConfig {
  const byKey = new Map(suspensions.map((s) => [keyOf(s), s.suspended]));
  return {
    ...config,
    authorities: config.authorities.map((a) => ({ ...a, suspended: byKey.get(keyOf({ kind: 'authority', id: a.kennung })) ?? a.suspended })),
    parties: config.parties.map((p) => ({ ...p, suspended: byKey.get(keyOf({ kind: 'party', id: p.id })) ?? p.suspended })),
  };
}

export class RedisSuspensionStore implements SuspensionStore {
  private readonly key: string;

  constructor(private readonly redis: Redis, prefix: string) {
    this.key = `${prefix}:gw:suspensions`;
  }

  async list(): Promise<Suspension[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((v) => JSON.parse(v) as Suspension);
  }

  async set(s: Suspension): Promise<void> {
    await this.redis.hset(this.key, keyOf(s), JSON.stringify(s));
  }
}

/** One JSON file, replaced atomically; `memory://` keeps the list in the process only (tests). */
export class FileSuspensionStore implements SuspensionStore {
  private memory: Suspension[] | undefined;

  constructor(private readonly file: string) {
    if (file === 'memory://') this.memory = [];
  }

  async list(): Promise<Suspension[]> {
    if (this.memory) return [...this.memory];
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as Suspension[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async set(s: Suspension): Promise<void> {
    const next = [...(await this.list()).filter((x) => keyOf(x) !== keyOf(s)), s];
    if (this.memory) {
      this.memory = next;
      return;
    }
    await mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(next, null, 2));
    await rename(tmp, this.file);
  }
}
