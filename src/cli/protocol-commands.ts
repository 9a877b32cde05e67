import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import type { GatewayConfig } from '../config/gateway-config.js';
import { protocolStoreConfig } from '../config/protocol-store-config.js';
import { createProtocolStore } from '../protocol/create-protocol-store.js';
import { migrateEmbeddedStore } from '../protocol/embedded-migration.js';
import type { ExportFilter } from '../protocol/export-filter.js';
import { toCsv } from '../protocol/export-csv.js';
import { toNdjson } from '../protocol/export-json.js';
import type { Hop } from '../protocol/protocol-record.js';
import type { ProtocolStore } from '../protocol/protocol-store.js';

/** `xmeld-gateway protocol export|verify|purge|migrate-embedded` — the DPO's and operator's tools (§ 40 BMG). */
export function registerProtocolCommands(program: Command, config: () => GatewayConfig): void {
  const protocol = program.command('protocol').description('inspect, verify and purge the protocol (§ 40 BMG)');

  const open = (): Promise<ProtocolStore> => createProtocolStore(protocolStoreConfig(config()));

  protocol.command('export')
    .description('stream records to stdout or a file as CSV or NDJSON; the export is itself protocolled')
    .requiredOption('--as <reader>', 'who reads: dpo:<name> or operator:<name> (operator partition), authority:<kennung> (its own partition)')
    .option('--purpose <text>', 'why the protocol is read (§ 40 Abs. 5 BMG)')
    .option('--from <iso>', 'records from this instant (inclusive)')
    .option('--to <iso>', 'records before this instant (exclusive)')
    .option('--authority <kennung>', 'requesting authority (kennung of autor)')
    .option('--vorgang <nummer>', 'Vorgangsnummer')
    .option('--target <target>', 'target, e.g. land:09 or mirror')
    .option('--hop <hops>', 'comma-separated hops, e.g. received,answered')
    .addOption(new Option('--format <format>').choices(['csv', 'ndjson']).default('csv'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (o: {
      as: string; purpose?: string; from?: string; to?: string; authority?: string; vorgang?: string;
      target?: string; hop?: string; format: 'csv' | 'ndjson'; out?: string;
    }) => {
      const reader = /^(dpo|operator|authority):(.+)$/.exec(o.as);
      if (reader === null) throw new Error('--as takes dpo:<name>, operator:<name> or authority:<kennung>');
      const filter: ExportFilter = {
        ...(o.from ? { from: new Date(o.from) } : {}),
        ...(o.to ? { to: new Date(o.to) } : {}),
        ...(o.authority ? { autorKennung: o.authority } : {}),
        ...(o.vorgang ? { vorgangsnummer: o.vorgang } : {}),
        ...(o.target ? { target: o.target } : {}),
        ...(o.hop ? { hops: o.hop.split(',') as Hop[] } : {}),
      };
      const store = await open();
      try {
        const records = store.export(filter, {
          kind: reader[1] as 'dpo' | 'operator' | 'authority', id: reader[2] as string, ...(o.purpose ? { purpose: o.purpose } : {}),
        });
        const lines = Readable.from(o.format === 'csv' ? toCsv(records) : toNdjson(records));
        await pipeline(lines, o.out ? createWriteStream(o.out) : process.stdout, { end: o.out !== undefined });
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

  protocol.command('migrate-embedded')
    .description('move an embedded PGlite protocol directory to the SQLite store, every record verbatim (gateway stopped)')
    .action(async () => {
      const report = await migrateEmbeddedStore(config().protocol.dataDir);
      console.log(JSON.stringify({ ...report, verify: { ok: report.verify.ok, partitions: report.verify.partitions } }, null, 2));
      console.log(`moved ${report.records} records to ${report.dataDir}; the PGlite directory is kept as ${report.backup}`);
      // The copy is verbatim, so a chain broken before is broken after: say so as verify would.
      process.exitCode = report.verify.ok ? 0 : 3;
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
