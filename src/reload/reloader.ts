import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { OperatorAction, OperatorEvent } from '../protocol/protocol-record.js';
import { pemReader } from './hop-security-setup.js';
import type { ReplayGuard } from '../security/replay-guard.js';
import { liveChanges } from './live-changes.js';
import { readLiveMaterial, type LiveMaterial } from './live-material.js';
import type { LiveTrust } from './live-trust.js';
import { withSuspensions, type Suspension, type SuspensionStore } from './suspensions.js';
import { buildTrustGeneration } from './trust-generation.js';

export type ReloadResult =
  | { ok: true; changes: string[] }
  | { ok: false; reason: string };

export interface ReloaderDeps {
  /** The running configuration: what a reload does not change (security mode, clock skew, …) comes from it. */
  running: GatewayConfig;
  /** Reads the configuration again (its file); throws when it is invalid. */
  load: () => GatewayConfig;
  suspensions: SuspensionStore;
  /** The material the gateway started with. */
  material: LiveMaterial;
  /** The main thread's parties and signer. */
  live: LiveTrust;
  /** Switches the worker threads (if any); rejects when one could not switch, all then back on the old. */
  switchThreads: (material: LiveMaterial) => Promise<void>;
  replayGuard: ReplayGuard;
  /** Protocols an operator event (the `operator` hop). */
  record: (event: OperatorEvent) => Promise<void>;
  /** Tells the other instances to reload (Redis); absent on a lone instance. */
  announce?: (actor: string) => Promise<void>;
  log: Logger;
  clock?: () => Date;
}

export interface ReloadRequest {
  /** Who asked: `operator:<name>`, `signal:SIGHUP`, `peer:<actor>`. */
  actor: string;
  action?: Extract<OperatorAction, 'reload' | 'suspend' | 'unsuspend'>;
  reason?: string;
  /** Pass it on to the other instances (not for a reload that came from one). */
  announce?: boolean;
}

/**
 * Reloads the live configuration atomically on every thread of this instance: the file is
 * read again, the operators' suspensions laid over it, every file and key checked, and only
 * then the threads switched — or nothing is, and the result says why. One reload at a time.
 * Emits `applied` (with the changes) after each switch.
 */
export class Reloader extends EventEmitter {
  private material: LiveMaterial;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReloaderDeps) {
    super();
    this.material = deps.material;
  }

  /** What the instance runs on now. */
  get current(): LiveMaterial {
    return this.material;
  }

  reload(request: ReloadRequest): Promise<ReloadResult> {
    const run = this.queue.then(() => this.run(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A suspension switched in the console: kept in the suspension store, effective through a reload. */
  async setSuspension(s: Omit<Suspension, 'at'>): Promise<ReloadResult> {
    try {
      await this.deps.suspensions.set({ ...s, at: (this.deps.clock?.() ?? new Date()).toISOString() });
    } catch {
      return { ok: false, reason: 'the suspension could not be stored (Redis or the suspensions file); nothing changed' };
    }
    return this.reload({ actor: s.by, action: s.suspended ? 'suspend' : 'unsuspend', reason: s.reason, announce: true });
  }

  private async run(request: ReloadRequest): Promise<ReloadResult> {
    const { deps } = this;
    const action = request.action ?? 'reload';
    let next: LiveMaterial;
    try {
      const config = withSuspensions(deps.load(), await deps.suspensions.list());
      next = readLiveMaterial(config, pemReader(config));
      const generation = buildTrustGeneration(deps.running, next, { replayGuard: deps.replayGuard, ...(deps.clock ? { clock: deps.clock } : {}) });
      await deps.switchThreads(next);
      deps.live.switchTo(generation);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      deps.log.warn({ actor: request.actor, action, reason }, 'reload refused: the running configuration stays');
      await this.protocol({ action: 'reload-refused', actor: request.actor, changes: [`${action} not applied`], reason });
      return { ok: false, reason };
    }
    const changes = liveChanges(this.material, next);
    this.material = next;
    deps.log.info({ actor: request.actor, action, changes }, 'configuration reloaded');
    await this.protocol({ action, actor: request.actor, changes, ...(request.reason ? { reason: request.reason } : {}) });
    if (request.announce !== false && deps.announce) {
      await deps.announce(request.actor).catch(() => deps.log.warn('other instances could not be told to reload (Redis)'));
    }
    this.emit('applied', changes);
    return { ok: true, changes };
  }

  /** The change is in force either way; a protocol that cannot be written is an error to log, not a reason to undo it. */
  private async protocol(event: OperatorEvent): Promise<void> {
    try {
      await this.deps.record(event);
    } catch {
      this.deps.log.error({ action: event.action }, 'operator event could not be protocolled');
    }
  }
}
