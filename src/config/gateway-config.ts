import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LAND_CODES } from '../routing/laender.js';
import { RELEASES } from '../xmeld/releases.js';
import { ConfigError, schemaProblems, unknownKeys } from './config-check.js';

const release = z.enum(RELEASES);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');

/**
 * Configuration: a YAML file under config/ (chosen by --config or XMELD_GATEWAY_CONFIG),
 * with secrets and connection strings from the environment (REDIS_URL, DATABASE_URL).
 */

const endpoint = z.object({
  url: z.url(),
  soapVersion: z.enum(['1.1', '1.2']).default('1.1'),
  /** Most concurrent requests to this register. */
  concurrency: z.number().int().positive().default(16),
  /** At most `max` requests per `durationMs` to this register, across all instances (BullMQ queues). */
  rateLimit: z.object({ max: z.number().int().positive(), durationMs: z.number().int().positive() }).optional(),
  /** How this Land takes free searches from other states (BMeldDAV Anlage Nr. 3). */
  freieSuche: z.object({
    nurEinzelgemeinden: z.boolean().default(false),
    weiterFuerSicherheitsbehoerden: z.boolean().default(false),
  }).prefault({}),
  /** Municipalities (AGS) of the Land, for fanning out free searches per municipality. */
  gemeinden: z.array(z.string().regex(/^[0-9]{8}$/)).default([]),
  /** XMeld releases this register takes (absent: every release the gateway accepts). */
  xmeldReleases: z.array(release).min(1).optional(),
});

/** Overrides of the structure limits (src/xml/structure-limits.ts), per direction. */
const structureLimits = z.object({
  maxElements: z.number().int().positive(),
  maxDepth: z.number().int().positive().max(256),
  maxAttributesPerElement: z.number().int().positive(),
  maxAttributes: z.number().int().positive(),
  maxNamespaceDeclarations: z.number().int().positive(),
  maxNameBytes: z.number().int().positive(),
  maxTextBytes: z.number().int().positive(),
  maxAttributeValueBytes: z.number().int().positive(),
  maxIds: z.number().int().positive(),
}).partial();

const landEndpoints = z.object(
  Object.fromEntries(LAND_CODES.map((c) => [c, endpoint.optional()])) as Record<(typeof LAND_CODES)[number], z.ZodOptional<typeof endpoint>>,
);

/** A requesting authority registered with the gateway (who may ask what, § 34a BMG). */
const authority = z.object({
  kennung: z.string().min(3),
  name: z.string().optional(),
  /** Registered as a security authority (§ 34 Abs. 4 S. 1 BMG); a separate registration from any ordinary one. */
  sicherheitsbehoerde: z.boolean().default(false),
  /** Restricted data an ordinary authority may receive by its own legal basis. */
  entitledTo: z.array(z.enum(['ausweis', 'passversagung', 'waffen', 'wohnungsgeber', 'einzugsdatum'])).default([]),
  /** E.g. gesetzliche Krankenkasse: admitted only for these anlassDesAbrufs values (statutory tasks). */
  anlaesse: z.array(z.string()).optional(),
  /** Access cut off by the operator (T070). */
  suspended: z.boolean().default(false),
  /** The operator keeps this authority's § 40 Abs. 3 BMG protocol on its behalf (own partition). */
  protocolCommissioned: z.boolean().default(false),
});

/**
 * A party on the wire: the mirror backend, another Land's endpoint, a registered authority's
 * system. Trust material is given as PEM files; `${PKI}` in a path stands for security.testPki.
 */
const party = z.object({
  id: z.string().min(1),
  /** Autor kennungen (glob: `*` at the end) this party may send queries for. */
  signsFor: z.array(z.string()).default([]),
  /** Messages it may send to the gateway. */
  messages: z.array(z.enum(['1330', '1332'])).default(['1330', '1332']),
  /** Route targets (e.g. `land:05`, `mirror`) whose answers this party signs. */
  answersFor: z.array(z.string()).default([]),
  trustAnchors: z.array(z.string()).min(1),
  intermediates: z.array(z.string()).default([]),
  crls: z.array(z.string()).default([]),
  signerCertificates: z.array(z.string()).default([]),
  signerSubjects: z.array(z.string()).default([]),
  allowSha1: z.boolean().default(false),
  /** Legacy beyond security.cryptoPolicy, each use counted in /metrics: RSA keys from rsaBits up, PKCS#1 v1.5 where PSS is preferred. */
  legacy: z.object({ rsaBits: z.number().int().min(1024).optional(), pkcs1: z.boolean().optional() }).optional(),
  /** XMeld releases this party may send (absent: every release the gateway accepts); others get V000. */
  xmeldReleases: z.array(release).min(1).optional(),
  /** Bound to this TLS client certificate (PEM file): requests without it are refused (T070). */
  clientCertificate: z.string().optional(),
  suspended: z.boolean().default(false),
  /** Instead of a pinned signer: any certificate chaining to the anchors that the DVDV lists in `dvdv.callerCategory`. */
  admitByCategory: z.boolean().optional(),
});

/**
 * The DVDV (issue #14): endpoints and signer certificates of the other Länder from the
 * directory, static `routes` as override and fallback; callers admitted by category.
 */
const dvdv = z.object({
  /** Base URLs up to and including `/dvdv2-backend`; the first that answers stays preferred. */
  servers: z.array(z.url()).min(1),
  entryPath: z.enum(['intern/directory', 'extern/standaloneauth/directory']).default('intern/directory'),
  /** The organisation's registered client key and certificate (PEM files), for extern/standaloneauth. */
  clientKey: z.string().optional(),
  clientCertificate: z.string().optional(),
  /** Service specification URI of the person search (1330) looked up per register (default: Personensuche of XMeld 25.11a). */
  serviceUri: z.string().optional(),
  /** …of the free search (1332) (default: FreieSuche of XMeld 25.11a). */
  freieSucheServiceUri: z.string().optional(),
  positiveTtlMs: z.number().int().positive().default(600_000),
  negativeTtlMs: z.number().int().positive().default(300_000),
  /** How long past its TTL an entry is still used while the DVDV cannot be reached. */
  maxStaleMs: z.number().int().nonnegative().default(3_600_000),
  /** Per attempt at one server; a look-up also ends at the query's deadline. */
  attemptTimeoutMs: z.number().int().positive().default(2_000),
  /** Look-up budget per register while a query waits (all servers together). */
  lookupTimeoutMs: z.number().int().positive().default(5_000),
  /** Look the 16 Länder up at start. */
  warmUp: z.boolean().default(true),
  /** Länder whose static route wins over the DVDV. */
  overrides: z.array(z.enum(LAND_CODES as [string, ...string[]])).default([]),
  /**
   * Organisation key per Land, looked up when a query names no municipality of it (and at
   * warm-up), e.g. `ags:09162000`; default `ags:<Land>000000`. Otherwise the municipality's key.
   */
  landKeys: z.partialRecord(z.enum(LAND_CODES as [string, ...string[]]), z.string().regex(/^[a-z]{3}:[0-9]{8,12}$/)).default({}),
  /** Anchors the certificates the DVDV publishes must chain to (PEM files; `${PKI}` as for parties). */
  trustAnchors: z.array(z.string()).default([]),
  intermediates: z.array(z.string()).default([]),
  crls: z.array(z.string()).default([]),
  /** Category a caller's certificate must be in where its party has `admitByCategory`. */
  callerCategory: z.string().min(1).optional(),
}).refine((d) => d.entryPath !== 'extern/standaloneauth/directory' || (d.clientKey !== undefined && d.clientCertificate !== undefined), {
  message: 'extern/standaloneauth/directory needs clientKey and clientCertificate',
  path: ['clientKey'],
});

/** A console user, recognised by the TLS client certificate it signs in with. */
const adminUser = z.object({
  name: z.string().min(1),
  role: z.enum(['operator', 'dpo', 'security-authority']),
  /** Client certificate (PEM file) of this user… */
  certificate: z.string().optional(),
  /** …or its subject, compared as a distinguished name. */
  subject: z.string().optional(),
  /** security-authority: the kennung whose protocol partition (`authority:<kennung>`) it may read. */
  authority: z.string().optional(),
}).refine((u) => u.certificate !== undefined || u.subject !== undefined, 'certificate or subject required')
  .refine((u) => u.role !== 'security-authority' || u.authority !== undefined, 'a security-authority user needs its authority');

/** The admin listener: the operators' and DPO's console, never on the SOAP listener (docs/console.md). */
const adminSchema = z.object({
  enabled: z.boolean().default(false),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8090),
  /** HTTPS with client certificates: how users sign in (mapped to roles by `users`). */
  tls: z.object({ key: z.string(), certificate: z.string(), clientCa: z.array(z.string()).min(1) }).optional(),
  users: z.array(adminUser).default([]),
  /** Development: print a one-time sign-in token at start (an operator with every role's pages). */
  devToken: z.boolean().default(false),
  /** Suspensions set in the console, where no Redis holds them (`memory://`: not kept). */
  suspensionsFile: z.string().default('.data/suspensions.json'),
});

export const configSchema = z.object({
  gateway: z.object({
    land: z.enum(LAND_CODES as [string, ...string[]]),
    kennung: z.string().min(3),
    name: z.string().min(1),
    anschrift: z.object({
      strasse: z.string().optional(),
      hausnummer: z.string().optional(),
      postleitzahl: z.string(),
      wohnort: z.string(),
    }),
    /**
     * How people reach the gateway's operators (XÖV Kommunikation: kanal code of
     * urn:de:xoev:codeliste:erreichbarkeit, 01 = E-Mail). The standard requires at least one
     * in the autor of every message the gateway writes.
     */
    erreichbarkeit: z.array(z.object({
      kanal: z.string().min(1),
      kennung: z.string().min(1),
      zusatz: z.string().optional(),
    })).min(1).default([{ kanal: '01', kennung: 'xmeld-gateway@betrieb.invalid' }]),
    produkthersteller: z.string().default('xmeld-gateway'),
  }),
  http: z.object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Endpoint URL written into the WSDL (…/xmeld); defaults to the listen address, never to a request's Host. */
    publicUrl: z.url().optional(),
    /** Most open connections at once (the server refuses more). */
    maxConnections: z.number().int().positive().default(1024),
    /** HTTPS with optional client certificates (mTLS); PEM files. */
    tls: z.object({
      key: z.string(),
      certificate: z.string(),
      /** CA certificates that issue client certificates. */
      clientCa: z.array(z.string()).default([]),
    }).optional(),
    bodyLimitBytes: z.number().int().positive().default(8 * 1024 * 1024),
    requestDeadlineMs: z.number().int().positive().default(30_000),
    /**
     * SIGTERM: queries in flight get this long to finish; then each still open is answered with
     * a SOAP fault S999 (recorded), the stores are closed within bounds, and the process exits.
     */
    shutdownGraceMs: z.number().int().min(0).default(10_000),
  }).prefault({}),
  routes: z.object({
    mirror: endpoint.optional(),
    laender: landEndpoints.prefault({}),
  }).prefault({}),
  /**
   * The change-over between XMeld releases (docs/xmeld-releases.md): per release the day from
   * which it is the default (forwarding where the caller's own release is not taken, 0910s to
   * unreadable messages) and the last day it is accepted at all.
   */
  xmeld: z.object({
    releases: z.partialRecord(release, z.object({ defaultFrom: day.optional(), acceptedUntil: day.optional() })).default({}),
  }).prefault({}),
  authorities: z.array(authority).default([]),
  security: z.object({
    /** Signatures on every hop (contract §4); false only for development without keys. */
    required: z.boolean().default(true),
    /** The gateway's signing key and certificate (PEM files). */
    signingKey: z.string().optional(),
    signingCertificate: z.string().optional(),
    /**
     * XML-DSig algorithm URI the gateway signs with (default by key type: rsa-sha256 or
     * ecdsa-sha256); e.g. http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1 for RSA-PSS.
     */
    signatureAlgorithm: z.string().optional(),
    /** Digest of the signed references. */
    digestAlgorithm: z.enum(['sha256', 'sha384', 'sha512']).default('sha256'),
    /**
     * What every signature must meet (defaults: BSI TR-02102-1 2026): algorithm URIs, digest URIs,
     * RSA from minRsaBits (3072), named curves, and whether RSA must be PSS (preferPss).
     */
    cryptoPolicy: z.object({
      signatureAlgorithms: z.array(z.string()).min(1).optional(),
      digestAlgorithms: z.array(z.string()).min(1).optional(),
      minRsaBits: z.number().int().min(1024).optional(),
      curves: z.array(z.string()).min(1).optional(),
      preferPss: z.boolean().optional(),
    }).default({}),
    /**
     * Key rollover: the next key and certificate, configured ahead (checked on every reload, so the
     * switch cannot fail on them). The switch: make them signingKey/signingCertificate, reload.
     */
    nextSigningKey: z.string().optional(),
    nextSigningCertificate: z.string().optional(),
    /** Generate and use a throwaway TEST PKI in this directory (demo, CI, integrators). Never in production. */
    testPki: z.string().optional(),
    clockSkewSeconds: z.number().int().nonnegative().default(300),
    replayWindowSeconds: z.number().int().positive().default(900),
  }).prefault({}),
  parties: z.array(party).default([]),
  dvdv: dvdv.optional(),
  register: z.object({
    /** Client certificate presented to registers, and the CAs their server certificates chain to. */
    tls: z.object({ key: z.string(), certificate: z.string(), ca: z.array(z.string()).default([]) }).optional(),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    maxAnswerBytes: z.number().int().positive().default(16 * 1024 * 1024),
  }).prefault({}),
  protocol: z.object({
    /** Directory of the embedded store; ignored when DATABASE_URL is set. */
    dataDir: z.string().default('.data/protocol'),
    databaseUrl: z.string().optional(),
    /** PostgreSQL schema of the protocol tables. */
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  }).prefault({}),
  queue: z.object({
    /** Set (or REDIS_URL): queues on BullMQ, replay protection shared across instances. */
    redisUrl: z.string().optional(),
    /** Key prefix in Redis, one per deployment. */
    prefix: z.string().default('xmeld'),
    /**
     * Seals queued queries and shared directory entries (AES-256-GCM; 32 bytes, hex or base64),
     * the same on every instance; a secret, so normally XMELD_QUEUE_KEY, which overrides it.
     */
    encryptionKey: z.string().optional(),
    /** A worker's lock on a job; after it lapses another instance takes a dead worker's job over. */
    lockDurationMs: z.number().int().positive().default(10_000),
    stalledIntervalMs: z.number().int().positive().default(5_000),
  }).prefault({}),
  processing: z.object({
    /**
     * Worker threads for parsing, XSD and XML-DSig, so the event loop keeps serving while
     * messages are checked and one large message cannot stall the rest. `auto`: one per core,
     * at least two (one per process under `start --workers`); 0: everything on the event loop.
     */
    threads: z.union([z.literal('auto'), z.number().int().min(0).max(64)]).default('auto'),
    /**
     * Messages up to this size (bytes) are handled on the event loop, larger ones on the worker
     * threads, started at the first such message and stopped after `recycleIdleMs` without one.
     * A small message costs about 1 ms of CPU on the event loop; handing it to a thread cost more
     * than the work (measured: 10.0 against 5.7 ms CPU per query, docs/performance.md). 0: every
     * message on the threads, which then run from the start.
     */
    offloadAboveBytes: z.number().int().min(0).default(65_536),
    /**
     * Tasks waiting for a worker, per thread, beyond which the intake sheds with S999 (503). A
     * query is about four tasks of a few ms each: 256 is well under a second of backlog, far
     * below the deadline, and a burst of a few dozen queries is not shed.
     */
    maxQueuedPerThread: z.number().int().min(0).max(10_000).default(256),
    /**
     * A worker thread whose heap plus WASM memory grew past this (MiB) is replaced between tasks;
     * after `recycleIdleMs` without work, those past half of it too. A worker needs about 75 MiB
     * (measured); libxml2's WASM memory never shrinks after a large message. 0: never.
     */
    recycleWorkerAboveMb: z.number().int().min(0).default(192),
    recycleIdleMs: z.number().int().min(1_000).default(30_000),
  }).prefault({}),
  /** What a message may contain, from callers (`request`) and from registers (`answer`). */
  limits: z.object({
    request: structureLimits.default({}),
    answer: structureLimits.default({}),
  }).prefault({}),
  admin: adminSchema.prefault({}),
  simulator: z.object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8081),
    /** The simulated DVDV (`simulate --dvdv`, `demo --dvdv`). */
    dvdvPort: z.number().int().min(0).max(65535).default(8082),
  }).prefault({}),
  log: z.object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type EndpointConfig = z.infer<typeof endpoint>;
export type PartyConfig = z.infer<typeof party>;
export type AuthorityConfig = z.infer<typeof authority>;
export type DvdvConfig = z.infer<typeof dvdv>;
export type AdminConfig = z.infer<typeof adminSchema>;
export type AdminUserConfig = z.infer<typeof adminUser>;

export const DEFAULT_CONFIG_FILE = 'config/default.yaml';

/** Loads and checks a configuration file; environment overrides are applied on top. */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const chosen = file ?? env['XMELD_GATEWAY_CONFIG'] ?? DEFAULT_CONFIG_FILE;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path.resolve(chosen), 'utf8'));
  } catch (e) {
    throw new ConfigError([e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e)], chosen);
  }
  return applyEnv(parseConfig(raw, chosen), env);
}

/** Checks a parsed YAML document; unknown keys are refused, not dropped (ConfigError lists all). */
export function parseConfig(raw: unknown, source?: string): GatewayConfig {
  const unknown = unknownKeys(configSchema, raw);
  const result = configSchema.safeParse(raw);
  const problems = [...unknown, ...(result.success ? [] : schemaProblems(result.error.issues))];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems, source);
  return result.data;
}

/**
 * One port for the demo: the gateway listens on `port`, the simulated registers on `port + 1` (the
 * simulated DVDV on `port + 2`), and
 * every route that pointed at the configured simulator is moved with it (so 16+1 URLs follow one
 * setting). Routes elsewhere are left alone.
 */
export function withDemoPort(config: GatewayConfig, port: number): GatewayConfig {
  if (!Number.isInteger(port) || port < 1 || port > 65_533) throw new Error(`invalid demo port: ${String(port)}`);
  const simulatorPort = port + 1;
  const moved = (url: string): string => {
    const u = new URL(url);
    if (u.hostname !== config.simulator.host || Number(u.port) !== config.simulator.port) return url;
    u.port = String(simulatorPort);
    return u.toString();
  };
  const routes = config.routes;
  return {
    ...config,
    http: { ...config.http, port },
    simulator: { ...config.simulator, port: simulatorPort, dvdvPort: port + 2 },
    routes: {
      ...routes,
      ...(routes.mirror ? { mirror: { ...routes.mirror, url: moved(routes.mirror.url) } } : {}),
      laender: Object.fromEntries(Object.entries(routes.laender).map(([land, r]) => [land, { ...r, url: moved(r.url) }])) as typeof routes.laender,
    },
  };
}

function applyEnv(given: GatewayConfig, env: NodeJS.ProcessEnv): GatewayConfig {
  const databaseUrl = env['DATABASE_URL'];
  const redisUrl = env['REDIS_URL'];
  const queueKey = env['XMELD_QUEUE_KEY'];
  const demoPort = env['XMELD_PORT'];
  const config = demoPort ? withDemoPort(given, Number(demoPort)) : given;
  // XMELD_HTTP_PORT moves only the gateway's listener (and wins over XMELD_PORT for it).
  const port = env['XMELD_HTTP_PORT'];
  return {
    ...config,
    protocol: { ...config.protocol, ...(databaseUrl ? { databaseUrl } : {}) },
    queue: { ...config.queue, ...(redisUrl ? { redisUrl } : {}), ...(queueKey ? { encryptionKey: queueKey } : {}) },
    http: { ...config.http, ...(port ? { port: Number(port) } : {}) },
  };
}
