import { Command, Option } from 'commander';
import type { GatewayConfig } from '../config/gateway-config.js';
import { createProtocolStore } from '../protocol/create-protocol-store.js';
import type { ExportFilter } from '../protocol/export-filter.js';
import { toCsv } from '../protocol/export-csv.js';
import { toNdjson } from '../protocol/export-json.js';
import type { ProtocolStore } from '../protocol/protocol-store.js';

/** `xmeld-gateway protocol export|verify|purge` — the DPO's and operator's tools (§ 40 BMG). */
export function registerProtocolCommands(program: Command, config: () => GatewayConfig): void {
  const protocol = program.command('protocol').description('inspect, verify and purge the protocol (§ 40 BMG)');

  const open = async (): Promise<ProtocolStore> => {
    const c = config();
    return createProtocolStore({
      ...(c.protocol.databaseUrl ? { databaseUrl: c.protocol.databaseUrl, schema: c.protocol.schema } : {}),
      dataDir: c.protocol.dataDir,
    });
  };

  protocol.command('export')
    .description('stream records to stdout as CSV or NDJSON; the export itself is protocolled')
    .requiredOption('--by <who>', 'who reads: the DPO\'s name, or an authority\'s kennung with --authority')
    .option('--authority', 'read the partition of the authority named by --by (its own records only)')
    .option('--purpose <text>', 'why the protocol is read (§ 40 Abs. 5 BMG)')
    .option('--from <iso>', 'records from this instant (inclusive)')
    .option('--to <iso>', 'records before this instant (exclusive)')
    .option('--autor <kennung>', 'requesting authority')
    .option('--vorgang <nummer>', 'Vorgangsnummer')
    .option('--target <target>', 'target, e.g. land:09 or mirror')
    .addOption(new Option('--format <format>').choices(['csv', 'json']).default('csv'))
    .action(async (o: {
      by: string; authority?: boolean; purpose?: string; from?: string; to?: string;
      autor?: string; vorgang?: string; target?: string; format: 'csv' | 'json';
    }) => {
      const store = await open();
      try {
        const filter: ExportFilter = {
          ...(o.from ? { from: new Date(o.from) } : {}),
          ...(o.to ? { to: new Date(o.to) } : {}),
          ...(o.autor ? { autorKennung: o.autor } : {}),
          ...(o.vorgang ? { vorgangsnummer: o.vorgang } : {}),
          ...(o.target ? { target: o.target } : {}),
        };
        const records = store.export(filter, {
          kind: o.authority ? 'authority' : 'dpo', id: o.by, ...(o.purpose ? { purpose: o.purpose } : {}),
        });
        for await (const chunk of o.format === 'csv' ? toCsv(records) : toNdjson(records)) {
          if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
        }
      } finally {
        await store.close();
      }
    });

  protocol.command('verify')
    .description('walk the hash chains and report the first broken link')
    .option('--partition <name>', 'only this partition')
    .action(async (o: { partition?: string }) => {
      const store = await open();
      try {
        const report = await store.verify(o.partition);
        console.log(JSON.stringify(report, null, 2));
        process.exitCode = report.ok ? 0 : 3;
      } finally {
        await store.close();
      }
    });

  protocol.command('purge')
    .description('delete records past retention (kept ≥ 12 months, gone by the end of the following year)')
    .option('--dry-run', 'list what would go, delete nothing')
    .option('--now <iso>', 'reference time (default: now)')
    .action(async (o: { dryRun?: boolean; now?: string }) => {
      const store = await open();
      try {
        const report = await store.purge(o.now ? new Date(o.now) : new Date(), { dryRun: o.dryRun === true });
        console.log(JSON.stringify(report, null, 2));
      } finally {
        await store.close();
      }
    });
}
