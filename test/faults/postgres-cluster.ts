import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { onExitOfTests } from '../support/at-exit.js';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);

/** Debian's server binaries (/usr/lib/postgresql/<version>/bin), the newest version; PG_BIN overrides. */
function binDir(): string {
  const configured = process.env['PG_BIN'];
  if (configured !== undefined) return configured;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (newest === undefined) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (set PG_BIN)');
  return path.join(root, newest, 'bin');
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, its own port and socket), so a
 * fault test can restart or freeze it without touching the machine's shared server.
 * initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user.
 */
export class PostgresCluster {
  private forget: (() => void) | undefined;

  private constructor(readonly port: number, private readonly dir: string, private readonly bin: string) {}

  static async start(): Promise<PostgresCluster> {
    const bin = binDir();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-pg-'));
    const cluster = new PostgresCluster(await freePort(), dir, bin);
    try {
      if (isRoot()) {
        const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
        chownSync(dir, id('-u'), id('-g'));
      }
      await cluster.pg('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
      await cluster.pg('pg_ctl', ['-D', cluster.dataDir, '-l', path.join(dir, 'server.log'), '-w', '-o',
        // fsync off: the suite tests the gateway's handling of an outage, not the disk.
        `-p ${cluster.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
    } catch (e) {
      cluster.removeNow();
      throw e;
    }
    cluster.forget = onExitOfTests(() => cluster.removeNow());
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const cmd = path.join(this.bin, tool);
    await (isRoot() ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));
  }

  /** The operator's restart: `pg_ctl restart -m fast` (sessions terminated, then up again). */
  async restart(): Promise<void> {
    // With its log file: a server writing to pg_ctl's stdout would keep our pipe open.
    await this.pg('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-w', '-m', 'fast', 'restart']);
  }

  /** The postmaster and every process it forked (backends, checkpointer, …). */
  private pids(): number[] {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const master = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    const children: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === master) children.push(Number(entry));
      } catch {
        // gone meanwhile
      }
    }
    return [master, ...children];
  }

  /** SIGSTOP of the whole cluster, postmaster first (so it forks nothing new meanwhile). */
  freeze(): void {
    for (const pid of this.pids()) signal(pid, 'SIGSTOP');
  }

  thaw(): void {
    for (const pid of this.pids().reverse()) signal(pid, 'SIGCONT');
  }

  /** Stops the cluster and removes its directory. */
  async remove(): Promise<void> {
    this.thaw();
    try {
      await this.pg('pg_ctl', ['-D', this.dataDir, '-w', '-m', 'immediate', 'stop']);
    } catch {
      // not running
    }
    this.removeNow();
  }

  /** Synchronous last resort (process exit): kill whatever runs, delete the directory. */
  private removeNow(): void {
    for (const pid of this.pids()) {
      signal(pid, 'SIGCONT');
      signal(pid, 'SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.forget?.();
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
