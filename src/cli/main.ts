#!/usr/bin/env node
import { Command, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type GatewayConfig } from '../config/gateway-config.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../log/logger.js';
import { isLandCode, type LandCode } from '../routing/laender.js';
import { generateTestPki, testSigner, type IdentityName } from '../security/test-pki.js';
import { signEnvelope } from '../security/wss-sign.js';
import { simulatorSecurity } from '../simulator/simulator-security.js';
import { startSimulatedRegisters, type RegisterBehaviour } from '../simulator/server.js';
import { runWorkers, isWorkerProcess } from './run-workers.js';
import { sendMessageFile } from './send-message.js';
import { formatSummary, readAnswerSummary, summaryLine } from './answer-summary.js';
import { answerTrustFrom, verifyAnswer } from './verify-answer.js';
import { stringify as stringifyYaml } from 'yaml';
import { maskSecrets } from '../config/config-check.js';
import { checkPemFiles, pemReader } from '../reload/hop-security-setup.js';
import { cryptoReport, formatCryptoReport } from '../security/crypto-report.js';
import { RELEASES, type Release } from '../xmeld/releases.js';
import { registerProtocolCommands } from './protocol-commands.js';
import { registerDvdvCommands } from './dvdv-commands.js';
import { DVDV_FAULTS, startDemoDvdv, withDemoDvdv } from './dvdv-demo.js';
import type { DvdvFault } from '../simulator/dvdv.js';
import type { SimulatedRegisters } from '../simulator/server.js';
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

function onSignals(close: () => Promise<void>, boundMs?: number): void {
  const stop = (): void => {
    // The close is bounded itself; this is the last resort should anything still hang.
    if (boundMs !== undefined) setTimeout(() => process.exit(1), boundMs).unref();
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
    onSignals(() => gw.close(), c.http.shutdownGraceMs + 10_000);
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
    behaviour: simulatedBehaviour(c, opts.down ?? []),
  });
}

/**
 * Each simulated register as the configuration describes its Land: the XMeld releases its route
 * takes (so the demo's gateway and registers agree), and down where asked.
 */
function simulatedBehaviour(c: GatewayConfig, down: string[]): Partial<Record<LandCode, RegisterBehaviour>> {
  const out: Partial<Record<LandCode, RegisterBehaviour>> = {};
  for (const [land, route] of Object.entries(c.routes.laender)) {
    if (isLandCode(land) && route?.xmeldReleases !== undefined) out[land] = { xmeldReleases: route.xmeldReleases };
  }
  for (const land of down.filter(isLandCode)) out[land] = { ...out[land], down: true };
  return out;
}

/** The simulated DVDV (`--dvdv`) publishing the simulated registers and the test PKI's certificates. */
async function simulatedDvdv(c: GatewayConfig, registers: SimulatedRegisters, opts: DvdvOptions) {
  if (!opts.dvdv) return undefined;
  if (c.security.testPki === undefined) throw new Error('--dvdv needs security.testPki (the certificates the DVDV publishes)');
  const pki = await generateTestPki(path.resolve(c.security.testPki));
  const dvdv = await startDemoDvdv(registers, pki, {
    host: c.simulator.host, port: c.simulator.dvdvPort, ...(opts.dvdvFault ? { fault: opts.dvdvFault } : {}),
  });
  console.log(`simulated DVDV on ${dvdv.url}${opts.dvdvFault && opts.dvdvFault !== 'none' ? ` (fault: ${opts.dvdvFault})` : ''}`);
  return dvdv;
}

interface DvdvOptions { dvdv?: boolean; dvdvFault?: DvdvFault }
const dvdvOption = new Option('--dvdv', 'also the simulated DVDV (endpoints and certificates of the simulated registers)');
const dvdvFaultOption = new Option('--dvdv-fault <fault>', 'fault of the simulated DVDV').choices(DVDV_FAULTS);

program.command('simulate')
  .description('start the simulated registers of all 16 Länder (and the mirror backend)')
  .option('-p, --port <port>', 'port', (v) => Number(v))
  .option('--slow-delay-ms <ms>', 'delay of the magic name Langsam', (v) => Number(v))
  .option('--down <land...>', 'Länder whose register is unreachable (e.g. --down 05 09)')
  .addOption(dvdvOption)
  .addOption(dvdvFaultOption)
  .action(async (opts: { port?: number; slowDelayMs?: number; down?: string[] } & DvdvOptions) => {
    const c = config();
    const sim = await simulators(c, opts);
    console.log(`simulated registers on ${sim.baseUrl} (e.g. ${sim.urlFor('09')}; the list: GET ${sim.baseUrl}/)`);
    const dvdv = await simulatedDvdv(c, sim, opts);
    onSignals(async () => {
      await dvdv?.close();
      await sim.close();
    });
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
  .option('--gateway-cert <pem>', 'the gateway certificate the answer must be signed with (default: security.signingCertificate)')
  .option('--ca <pem...>', 'trust anchors for the answer\'s signer (default: the configured parties\' anchors)')
  .addOption(new Option('--xmeld-version <release>', 'send the message in this XMeld release (translated from the file\'s)').choices([...RELEASES]))
  .option('--raw', 'print the answer envelope as received (person data included) instead of the summary')
  .option('-q, --quiet', 'print only the one-line summary (no personal data)')
  .action(async (file: string, opts: {
    url?: string; soap: '1.1' | '1.2'; key?: string; cert?: string; as: string; unsigned?: boolean; keepUuid?: boolean;
    gatewayCert?: string; ca?: string[]; raw?: boolean; quiet?: boolean; xmeldVersion?: Release;
  }) => {
    const c = config();
    const url = opts.url ?? `http://${c.http.host}:${c.http.port}/xmeld`;
    const sign = opts.unsigned ? undefined : await signerFor(c, opts);
    const res = await sendMessageFile(file, url, {
      soapVersion: opts.soap, freshUuid: !opts.keepUuid, ...(sign ? { sign } : {}), ...(opts.xmeldVersion ? { xmeldRelease: opts.xmeldVersion } : {}),
    });
    const summary = readAnswerSummary(res.status, res.body);
    const signature = await verifyAnswer(res.body, answerTrustFrom(c, opts));
    if (opts.raw) console.log(res.body);
    else if (opts.quiet) console.log(summaryLine(summary));
    else console.log(formatSummary(summary, { signature: signature.verdict, ...(res.sentUuid ? { sentUuid: res.sentUuid } : {}) }));
    // 0 answered and verified, 2 refused (fault), 3 answer not trustworthy.
    process.exitCode = !signature.ok ? 3 : res.status === 200 ? 0 : 2;
  });

program.command('demo')
  .description('start the simulated registers and the gateway on embedded defaults, send a first query')
  .addOption(new Option('--dvdv', 'route through the simulated DVDV (no static Länder routes)'))
  .addOption(dvdvFaultOption)
  .action(async (opts: DvdvOptions) => {
    // The demo shows the console too, signed in with a one-time token.
    const withConsole = (g: GatewayConfig): GatewayConfig => ({ ...g, admin: { ...g.admin, enabled: true, devToken: true } });
    const configured = withConsole(config());
    const sim = await simulators(configured);
    const dvdv = await simulatedDvdv(configured, sim, opts);
    const demo = (g: GatewayConfig): GatewayConfig => (dvdv ? withDemoDvdv(withConsole(g), dvdv.url) : withConsole(g));
    const c = demo(config());
    const gw = await startGateway(c, { loadConfig: () => demo(config()) });
    const endpoint = `${gw.url}/xmeld`;
    console.log(`simulated registers: ${sim.baseUrl}`);
    console.log(`gateway:             ${endpoint}   (WSDL: ${endpoint}?wsdl)`);
    printConsole(gw);
    const sample = path.resolve('fixtures/queries/1330-unique-hit.xml');
    const sign = await signerFor(c, { as: 'mirror' });
    const res = await sendMessageFile(sample, endpoint, { soapVersion: '1.1', freshUuid: true, ...(sign ? { sign } : {}) });
    console.log(`\nfirst query ${path.relative(process.cwd(), sample)}:\n  ${summaryLine(readAnswerSummary(res.status, res.body))}`);
    console.log('\nsend more from another terminal, e.g.:');
    console.log('  npx tsx src/cli/main.ts send fixtures/queries/1330-trefferliste.xml');
    console.log('  (all fixture queries and their expected outcomes: fixtures/queries/manifest.yaml)');
    console.log('\nCtrl+C stops both.');
    onSignals(async () => {
      await gw.close();
      await dvdv?.close();
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

program.command('config')
  .description('configuration tools')
  .command('check')
  .description('check the configuration (keys, values, every PEM file it names) and print it in effect, secrets masked')
  .action(async () => {
    const c = config();
    if (c.security.testPki !== undefined) await generateTestPki(path.resolve(c.security.testPki));
    checkPemFiles(c);
    console.log(stringifyYaml(maskSecrets(c)).trimEnd());
    console.error('configuration ok');
  });

program.command('crypto')
  .description('cryptography tools')
  .command('report')
  .description('the gateway\'s key and every party\'s certificates and CRLs: algorithm, size or curve, chain, days to expiry, CRL age, verdict against the policy')
  .option('--json', 'as JSON')
  .action(async (opts: { json?: boolean }) => {
    const c = config();
    if (c.security.testPki !== undefined) await generateTestPki(path.resolve(c.security.testPki));
    const report = await cryptoReport(c, pemReader(c));
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatCryptoReport(report));
    // Non-zero when the gateway cannot sign or a configured signer is refused by the policy.
    process.exitCode = !report.canSign || report.certificates.some((e) => e.role === 'signer' && e.verdict === 'refused') ? 4 : 0;
  });

registerProtocolCommands(program, config);
registerDvdvCommands(program, config);
registerReloadCommand(program, config);

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
