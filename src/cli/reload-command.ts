import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { GatewayConfig } from '../config/gateway-config.js';
import { readLiveMaterial } from '../reload/live-material.js';
import { buildTrustGeneration } from '../reload/trust-generation.js';
import { pemReader } from '../reload/hop-security-setup.js';
import { InMemoryReplayGuard } from '../security/replay-guard.js';

/**
 * `xmeld-gateway reload`: checks the configuration as the running gateway will (every file,
 * every key), says what is wrong and stops there; otherwise sends the gateway SIGHUP. With
 * Redis the instance that gets it passes the reload on to every other instance.
 */
export function registerReloadCommand(program: Command, config: () => GatewayConfig): void {
  program.command('reload')
    .description('reload parties, authorities, trust material and the signing key without a restart (SIGHUP)')
    .option('--pid <pid>', 'process id of the running gateway (of the primary under start --workers)', (v) => Number(v))
    .option('--pid-file <file>', 'read the process id from this file (start --pid-file)')
    .option('--check', 'only check the configuration, signal nothing')
    .action((o: { pid?: number; pidFile?: string; check?: boolean }) => {
      const c = config();
      buildTrustGeneration(c, readLiveMaterial(c, pemReader(c)), { replayGuard: new InMemoryReplayGuard() });
      console.log('configuration checked: parties, authorities, trust material and signing key are usable');
      if (o.check) return;
      const pid = o.pid ?? (o.pidFile ? Number(readFileSync(o.pidFile, 'utf8').trim()) : undefined);
      if (pid === undefined || !Number.isInteger(pid) || pid <= 0) throw new Error('reload needs --pid or --pid-file (or --check)');
      process.kill(pid, 'SIGHUP');
      console.log(`SIGHUP sent to ${pid}; the gateway logs the result and protocols it as an operator event`);
    });
}
