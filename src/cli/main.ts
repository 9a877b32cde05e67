#!/usr/bin/env node
import { Command, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type GatewayConfig } from '../config/gateway-config.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../log/logger.js';
import { isLandCode } from '../routing/laender.js';
import { generateTestPki, testSigner, type IdentityName } from '../security/test-pki.js';
import { signEnvelope } from '../security/wss-sign.js';
import { simulatorSecurity } from '../simulator/simulator-security.js';
import { startSimulatedRegisters } from '../simulator/server.js';
import { runWorkers, isWorkerProcess } from './run-workers.js';
import { sendMessageFile } from './send-message.js';
import { summarizeAnswer } from './answer-summary.js';
import { registerProtocolCommands } from './protocol-commands.js';
import { registerDvdvCommands } from './dvdv-commands.js';
import { registerReloadCommand } from './reload-command.js';

const program = new Command('xmeld-gateway')
  .description('Brokers automated cross-state XMeld queries (1330/1332) between residents\' registers')
  .option('-c, --config <file>', 'configuration file (default: $XMELD_GATEWAY_CONFIG or config/default.yaml)');

function config(): GatewayConfig {
  return loadConfig(program.opts<{ config?: string }>().config);
}

function printConsole(gw: Awaited<ReturnType<typeof startGateway>>): void {
  if (gw.console === undefined) return;
  console.log(`console:             ${gw.console.url}/`);
  if (gw.console.devToken !== undefined) console.log(`one-time sign-in token (development): ${gw.console.devToken}`);
}

/** SIGHUP reloads the live configuration from the same file (docs/reload.md). */
function onReloadSignal(gw: Awaited<ReturnType<typeof startGateway>>): void {
  process.on('SIGHUP', () => {
    void gw.reloader.reload({ actor: 'signal:SIGHUP' }).then((r) => {
      console.log(r.ok ? `reloaded: ${r.changes.length === 0 ? 'no changes' : r.changes.join('; ')}` : `reload refused, the running configuration stays: ${r.reason}`);
    });
  });
}

function onSignals(close: () => Promise<void>): void {
  const stop = (): void => {
    close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

program.command('start')
  .description('start the gateway')
  .option('-w, --workers <n>', 'gateway processes sharing the port, one per core (needs REDIS_URL and DATABASE_URL)', (v) => Number(v), 1)
  .option('--pid-file <file>', 'write the process id here (for `reload --pid-file`)')
  .action(async (opts: { workers: number; pidFile?: string }) => {
    if (opts.pidFile !== undefined && !isWorkerProcess()) writeFileSync(opts.pidFile, `${process.pid}\n`);
    const c = config();
    if (opts.workers > 1 && !isWorkerProcess()) {
      if (c.queue.redisUrl === undefined || c.protocol.databaseUrl === undefined) {
        throw new Error('--workers needs the shared stores: set REDIS_URL and DATABASE_URL');
      }
      // The test PKI once, before the workers race to create it.
      if (c.security.testPki !== undefined) await generateTestPki(path.resolve(c.security.testPki));
      runWorkers(opts.workers, (line) => console.log(line), () =>
        console.log(`xmeld-gateway: ${opts.workers} workers listening on http://${c.http.host}:${c.http.port}/xmeld`));
      return;
    }
    const gw = await startGateway(c, { loadConfig: config });
    console.log(`xmeld-gateway listening on ${gw.url}/xmeld (WSDL: ${gw.url}/xmeld?wsdl)`);
    printConsole(gw);
    onSignals(() => gw.close());
    onReloadSignal(gw);
  });

/** The simulated registers as configured: signing and verifying with the test PKI where one is set. */
async function simulators(c: GatewayConfig, opts: { port?: number; slowDelayMs?: number; down?: string[] } = {}) {
  const security = c.security.testPki !== undefined && c.security.required
    ? simulatorSecurity(await generateTestPki(path.resolve(c.security.testPki)))
    : undefined;
  return startSimulatedRegisters({
    host: c.simulator.host,
    port: opts.port ?? c.simulator.port,
    logger: createLogger(c.log.level === 'info' ? 'warn' : c.log.level),
    ...(security ? { security } : {}),
    ...(opts.slowDelayMs !== undefined ? { slowDelayMs: opts.slowDelayMs } : {}),
    behaviour: Object.fromEntries((opts.down ?? []).filter(isLandCode).map((l) => [l, { down: true }])),
  });
}

program.command('simulate')
  .description('start the simulated registers of all 16 Länder (and the mirror backend)')
  .option('-p, --port <port>', 'port', (v) => Number(v))
  .option('--slow-delay-ms <ms>', 'delay of the magic name Langsam', (v) => Number(v))
  .option('--down <land...>', 'Länder whose register is unreachable (e.g. --down 05 09)')
  .action(async (opts: { port?: number; slowDelayMs?: number; down?: string[] }) => {
    const sim = await simulators(config(), opts);
    console.log(`simulated registers on ${sim.baseUrl} (e.g. ${sim.urlFor('09')}; the list: GET ${sim.baseUrl}/)`);
    onSignals(() => sim.close());
  });

program.command('send')
  .description('send a message file (bare XMeld or a SOAP envelope) as a party would, and print the answer')
  .argument('<file>')
  .option('-u, --url <url>', 'gateway endpoint (default: from the configuration)')
  .addOption(new Option('--soap <version>', 'SOAP version').choices(['1.1', '1.2']).default('1.1'))
  .option('--key <pem>', 'sign with this private key (PEM file)')
  .option('--cert <pem>', '… and this certificate (PEM file)')
  .option('--as <identity>', 'sign as this identity of the test PKI (default: mirror)', 'mirror')
  .option('--unsigned', 'send without a signature')
  .option('--keep-uuid', 'keep the message\'s nachrichtenUUID (default: a fresh one, so a file can be sent again)')
  .option('-q, --quiet', 'print only the one-line summary')
  .action(async (file: string, opts: {
    url?: string; soap: '1.1' | '1.2'; key?: string; cert?: string; as: string; unsigned?: boolean; keepUuid?: boolean; quiet?: boolean;
  }) => {
    const c = config();
    const url = opts.url ?? `http://${c.http.host}:${c.http.port}/xmeld`;
    const sign = opts.unsigned ? undefined : await signerFor(c, opts);
    const res = await sendMessageFile(file, url, { soapVersion: opts.soap, freshUuid: !opts.keepUuid, ...(sign ? { sign } : {}) });
    if (!opts.quiet) console.log(res.body);
    console.error(summarizeAnswer(res.status, res.body));
    process.exitCode = res.status === 200 ? 0 : 2;
  });

program.command('demo')
  .description('start the simulated registers and the gateway on embedded defaults, send a first query')
  .action(async () => {
    // The demo shows the console too, signed in with a one-time token.
    const c = { ...config(), admin: { ...config().admin, enabled: true, devToken: true } };
    const sim = await simulators(c);
    const gw = await startGateway(c, { loadConfig: config });
    const endpoint = `${gw.url}/xmeld`;
    console.log(`simulated registers: ${sim.baseUrl}`);
    console.log(`gateway:             ${endpoint}   (WSDL: ${endpoint}?wsdl)`);
    printConsole(gw);
    const sample = path.resolve('fixtures/queries/1330-unique-hit.xml');
    const sign = await signerFor(c, { as: 'mirror' });
    const res = await sendMessageFile(sample, endpoint, { soapVersion: '1.1', freshUuid: true, ...(sign ? { sign } : {}) });
    console.log(`\nfirst query ${path.relative(process.cwd(), sample)}:\n  ${summarizeAnswer(res.status, res.body)}`);
    console.log('\nsend more from another terminal, e.g.:');
    console.log('  npx tsx src/cli/main.ts send fixtures/queries/1330-trefferliste.xml');
    console.log('  (all fixture queries and their expected outcomes: fixtures/queries/manifest.yaml)');
    console.log('\nCtrl+C stops both.');
    onSignals(async () => {
      await gw.close();
      await sim.close();
    });
  });

/** How `send` signs: with given key files, else as an identity of the configured test PKI. */
async function signerFor(c: GatewayConfig, o: { key?: string; cert?: string; as: string }): Promise<((xml: string) => Promise<string>) | undefined> {
  if (o.key !== undefined && o.cert !== undefined) {
    const signer = { privateKey: readFileSync(o.key, 'utf8'), certificate: readFileSync(o.cert, 'utf8') };
    return async (xml) => signEnvelope(xml, signer);
  }
  if (c.security.testPki === undefined) return undefined;
  const pki = await generateTestPki(path.resolve(c.security.testPki));
  const identity = pki.identities[o.as as IdentityName];
  if (identity === undefined) throw new Error(`no identity ${o.as} in the test PKI`);
  const signer = testSigner(identity);
  return async (xml) => signEnvelope(xml, signer);
}

registerProtocolCommands(program, config);
registerDvdvCommands(program);
registerReloadCommand(program, config);

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
