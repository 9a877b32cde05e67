/**
 * Names of everything the BullMQ queue puts into Redis under one prefix, in one place so the
 * tests can scan exactly this namespace and operators can see what exists.
 *
 * BullMQ's own keys are `<prefix>:<queueName>:…`; the gateway's are `<prefix>:gw:…`, which no
 * queue name can produce (queue names never contain ':').
 */
export class GatewayKeys {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new RangeError('queue prefix may only use letters, digits, _ . -');
  }

  /**
   * BullMQ queue name of a target within a pool of instances sharing a queue key:
   * `land:09` → `land.09@<pool>`. Injective: letters, digits and '-' stay, ':' becomes '.',
   * anything else becomes `_<hex>_`, so distinct targets never share a queue.
   */
  queueName(target: string, pool: string): string {
    if (!/^[0-9a-f]+$/.test(pool)) throw new RangeError('pool must be a key id');
    return `${this.targetPart(target)}@${pool}`;
  }

  private targetPart(target: string): string {
    if (target === '') throw new RangeError('empty target');
    let out = '';
    for (const ch of target) {
      if (/[A-Za-z0-9-]/.test(ch)) out += ch;
      else if (ch === ':') out += '.';
      else out += `_${(ch.codePointAt(0) ?? 0).toString(16)}_`;
    }
    return out;
  }

  /** Pub/sub channel on which one gateway instance receives the replies to its dispatches. */
  replyChannel(instanceId: string): string {
    return `${this.prefix}:gw:reply:${instanceId}`;
  }

  /** "This job's register already answered": holds only '1', expires shortly after the deadline. */
  answeredKey(jobId: string): string {
    return `${this.prefix}:gw:answered:${jobId}`;
  }

  /** Set of target names that have a queue, so workers on every instance find them. */
  get targetsKey(): string {
    return `${this.prefix}:gw:targets`;
  }

  /** Channel announcing a new target to the instances' workers. */
  get targetsChannel(): string {
    return `${this.prefix}:gw:targets`;
  }
}
