#!/usr/bin/env node
import { Command, Option } from 'commander';
import path from 'node:path';
import { loadConfig, type GatewayConfig } from '../config/gateway-config.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../log/logger.js';
import { startSimulatedRegisters } from '../simulator/server.js';
import { sendMessageFile } from './send-message.js';
import { summarizeAnswer } from './answer-summary.js';
import { registerProtocolCommands } from './protocol-commands.js';

const program = new Command('xmeld-gateway')
  .description('Brokers automated cross-state XMeld queries (1330/1332) between residents\' registers')
  .option('-c, --config <file>', 'configuration file (default: $XMELD_GATEWAY_CONFIG or config/default.yaml)');

function config(): GatewayConfig {
  return loadConfig(program.opts<{ config?: string }>().config);
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
  .action(async () => {
    const gw = await startGateway(config());
    console.log(`xmeld-gateway listening on ${gw.url}/xmeld (WSDL: ${gw.url}/xmeld?wsdl)`);
    onSignals(() => gw.close());
  });

program.command('simulate')
  .description('start the simulated registers of all 16 Länder (and the mirror backend)')
  .option('-p, --port <port>', 'port', (v) => Number(v))
  .action(async (opts: { port?: number }) => {
    const c = config();
    const sim = await startSimulatedRegisters({ host: c.simulator.host, port: opts.port ?? c.simulator.port, logger: createLogger(c.log.level) });
    console.log(`simulated registers on ${sim.baseUrl} (e.g. ${sim.urlFor('09')})`);
    onSignals(() => sim.close());
  });

program.command('send')
  .description('send a message file (bare XMeld or a SOAP envelope) to the gateway and print the answer')
  .argument('<file>')
  .option('-u, --url <url>', 'gateway endpoint (default: from the configuration)')
  .addOption(new Option('--soap <version>', 'SOAP version').choices(['1.1', '1.2']).default('1.1'))
  .option('-q, --quiet', 'print only the one-line summary')
  .action(async (file: string, opts: { url?: string; soap: '1.1' | '1.2'; quiet?: boolean }) => {
    const c = config();
    const url = opts.url ?? `http://${c.http.host}:${c.http.port}/xmeld`;
    const res = await sendMessageFile(file, url, { soapVersion: opts.soap });
    if (!opts.quiet) console.log(res.body);
    console.error(summarizeAnswer(res.status, res.body));
    process.exitCode = res.status === 200 ? 0 : 2;
  });

program.command('demo')
  .description('start the simulated registers and the gateway on embedded defaults, send a first query')
  .action(async () => {
    const c = config();
    const sim = await startSimulatedRegisters({ host: c.simulator.host, port: c.simulator.port, logger: createLogger('warn') });
    const gw = await startGateway(c);
    const endpoint = `${gw.url}/xmeld`;
    console.log(`simulated registers: ${sim.baseUrl}`);
    console.log(`gateway:             ${endpoint}   (WSDL: ${endpoint}?wsdl)`);
    const sample = path.resolve('fixtures/queries/1330-unique-hit.xml');
    const res = await sendMessageFile(sample, endpoint, { soapVersion: '1.1' });
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

registerProtocolCommands(program, config);

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
