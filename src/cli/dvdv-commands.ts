import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { GatewayConfig } from '../config/gateway-config.js';
import { dvdvFingerprint } from '../security/cert-fingerprint.js';
import { DvdvClient, type EntryPath } from '../dvdv/dvdv-client.js';
import { serviceUriFor, targetFromService } from '../dvdv/service-target.js';

export interface LookupOptions {
  servers: string[];
  entryPath: EntryPath;
  serviceUri: string;
  keyPem?: string;
  certPem?: string;
  timeoutMs?: number;
}

/** What an operator sees of one organisation key: endpoint and signer certificate fingerprints. */
export async function dvdvLookup(organizationKey: string, o: LookupOptions): Promise<Record<string, unknown>> {
  const client = new DvdvClient({
    servers: o.servers,
    entryPath: o.entryPath,
    ...(o.keyPem && o.certPem ? { auth: { keyPem: o.keyPem, certPem: o.certPem } } : {}),
  });
  const service = await client.findServiceDescription(organizationKey, o.serviceUri, Date.now() + (o.timeoutMs ?? 10_000));
  if (!service) return { organizationKey, found: false, server: client.activeServer };
  const target = targetFromService(organizationKey, service);
  return {
    organizationKey,
    found: true,
    server: client.activeServer,
    organization: service.organizationNameDe,
    endpoint: target?.endpoint ?? null,
    signatureCertificates: (target?.signatureCertificates ?? []).map((b64) => dvdvFingerprint(Buffer.from(b64, 'base64'))),
  };
}

/** `xmeld-gateway dvdv lookup ags:09162000` — the directory's view of a register. */
export function registerDvdvCommands(program: Command, config?: () => GatewayConfig): void {
  const dvdv = program.command('dvdv').description('look registers up in the DVDV');
  dvdv.command('lookup <organizationKey>')
    .description('endpoint and signer certificates the DVDV publishes for an organisation key (ags:<AGS>)')
    .option('--server <url...>', 'DVDV base URL(s) up to /dvdv2-backend (default: XMELD_DVDV_SERVERS, comma-separated, else dvdv.servers of the configuration)')
    .addOption(new Option('--entry-path <path>', 'entry path').choices(['intern/directory', 'extern/standaloneauth/directory']).default('intern/directory'))
    .option('--release <release>', 'XMeld release of the service', '26.11')
    .option('--service-uri <uri>', 'service specification URI (default: Personensuche of the release)')
    .option('--key <file>', 'client key (PEM) for extern/standaloneauth')
    .option('--cert <file>', 'client certificate (PEM) for extern/standaloneauth')
    .action(async (key: string, opts: { server?: string[]; entryPath: EntryPath; release: string; serviceUri?: string; key?: string; cert?: string }) => {
      const fromEnv = (process.env['XMELD_DVDV_SERVERS'] ?? '').split(',').filter((s) => s !== '');
      const servers = opts.server ?? (fromEnv.length > 0 ? fromEnv : config?.().dvdv?.servers ?? []);
      if (servers.length === 0) throw new Error('no DVDV server: give --server, XMELD_DVDV_SERVERS or dvdv.servers in the configuration');
      const out = await dvdvLookup(key, {
        servers,
        entryPath: opts.entryPath,
        serviceUri: opts.serviceUri ?? serviceUriFor('personensuche', opts.release),
        ...(opts.key ? { keyPem: readFileSync(opts.key, 'utf8') } : {}),
        ...(opts.cert ? { certPem: readFileSync(opts.cert, 'utf8') } : {}),
      });
      console.log(JSON.stringify(out, null, 2));
      if (out['found'] !== true) process.exitCode = 1;
    });
}
