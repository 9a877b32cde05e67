import type { Redis } from 'ioredis';
import type { GatewayKeys } from './gateway-keys.js';
import { whenReady } from './redis-connections.js';

/**
 * Which targets have a queue, shared by all instances: a dispatching instance adds a target
 * the first time it uses it (set + announcement), and every instance running workers starts
 * one for each target it learns of — so a worker on instance B serves a target that only
 * instance A has dispatched to. Holds target names only (`land:09`, `mirror`).
 */
export class TargetDirectory {
  /** One announcement per target and process; dispatches await the same promise, so they keep their order. */
  private readonly announced = new Map<string, Promise<void>>();
  private listener: ((target: string) => void) | undefined;
  private readonly onMessage = (channel: Buffer, message: Buffer): void => {
    if (channel.toString('utf8') === this.keys.targetsChannel) this.listener?.(message.toString('utf8'));
  };

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly keys: GatewayKeys,
  ) {}

  /** Idempotent per process; the set is what late-starting workers read. */
  announce(target: string): Promise<void> {
    let done = this.announced.get(target);
    if (done === undefined) {
      done = (async () => {
        const added = await this.commands.sadd(this.keys.targetsKey, target);
        if (added === 1) await this.commands.publish(this.keys.targetsChannel, target);
      })();
      // A failed announcement (Redis down) is tried again by the next dispatch.
      done.catch(() => this.announced.delete(target));
      this.announced.set(target, done);
    }
    return done;
  }

  /**
   * After a reconnect Redis may have lost the set (a restart without persistence): announce
   * every target again on its next dispatch, so instances started later still find it.
   */
  forget(): void {
    this.announced.clear();
  }

  /** Calls `onTarget` for every known target now and for every one announced later. */
  async watch(onTarget: (target: string) => void): Promise<void> {
    this.listener = onTarget;
    this.subscriber.on('messageBuffer', this.onMessage);
    await this.subscriber.subscribe(this.keys.targetsChannel);
    // Read after subscribing: a target announced in between arrives by one way or the other.
    await whenReady(this.commands);
    for (const t of await this.commands.smembers(this.keys.targetsKey)) onTarget(t);
  }

  async stop(): Promise<void> {
    this.listener = undefined;
    this.subscriber.off('messageBuffer', this.onMessage);
  }
}
