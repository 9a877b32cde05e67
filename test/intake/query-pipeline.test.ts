/**
 * The pipeline alone, with fakes for everything around it (message work, queue, protocol,
 * directory): which answer and which protocol hops each path produces.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/answer/outcome.js';
import type { RegisterReply } from '../../src/answer/register-reply.js';
import { loadConfig, type EndpointConfig } from '../../src/config/gateway-config.js';
import { TechnicalFailureError } from '../../src/errors.js';
import { identityFrom } from '../../src/gateway.js';
import { QueryPipeline, type PipelineDeps } from '../../src/intake/query-pipeline.js';
import { createLogger } from '../../src/log/logger.js';
import type { AnswerContext, MessageWork } from '../../src/message-work/message-work.js';
import type { NewProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { DispatchJob } from '../../src/queue/dispatch-job.js';
import type { DispatchQueue } from '../../src/queue/dispatch-queue.js';
import { RetryPolicy } from '../../src/queue/retry-policy.js';
import { VorgangsnummerGenerator } from '../../src/vorgang/vorgangsnummer.js';
import { ReleaseSchemas } from '../../src/xmeld/release-schemas.js';
import { readQuery } from '../../src/xmeld/read-query.js';
import { answerFacts } from '../support/answer-facts.js';
import { fixturesDir, projectRoot } from '../support/paths.js';

const config = loadConfig(path.join(projectRoot, 'config/default.yaml'), {});
const messageXml = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8').replace(/^<\?xml[^?]*\?>\s*/, '');
const HIT: Outcome = { kind: 'hit', persons: ['<person xmlns="http://www.osci.de/xmeld2511a"/>'] };

/** A test bench around one pipeline: what the queue was asked, what the protocol got. */
function bench(opts: {
  register?: (job: DispatchJob, attempt: number) => Promise<RegisterReply>;
  outcome?: (ctx: AnswerContext) => Outcome;
  protocolFails?: (records: NewProtocolRecord[]) => boolean;
} = {}) {
  const doc = XmlDocument.fromString(messageXml);
  const query = readQuery(doc.root, '1330');
  doc.dispose();
  const jobs: DispatchJob[] = [];
  const written: NewProtocolRecord[] = [];
  const normalized: AnswerContext[] = [];
  const work: MessageWork = {
    accept: async () => ({ version: '1.1', query, messageXml }),
    sign: async (xml) => xml,
    normalize: async (_reply, ctx) => { normalized.push(ctx); return { outcome: (opts.outcome ?? (() => HIT))(ctx) }; },
    close: async () => undefined,
  };
  const queue: DispatchQueue = {
    dispatch: (job) => { jobs.push(job); return (opts.register ?? (async () => ({ status: 200, contentType: 'text/xml', body: Buffer.from('<a/>') })))(job, jobs.length); },
    process: () => undefined,
    targetStats: () => [],
    ready: async () => true,
    close: async () => undefined,
  };
  const endpoint = { ...(config.routes.laender['09'] as EndpointConfig), url: 'http://register.invalid/land/09' };
  const deps: PipelineDeps = {
    identity: identityFrom(config),
    work,
    validator: ReleaseSchemas.load().validator,
    queue,
    protocol: {
      append: async (records) => {
        if (opts.protocolFails?.(records)) throw new Error('store down');
        written.push(...records);
      },
    },
    vorgang: new VorgangsnummerGenerator(config.gateway.land),
    endpointOf: async () => ({ endpoint, source: 'config' }),
    freieSucheRuleOf: () => undefined,
    entitlementOf: () => ({ registeredAsSecurityAuthority: true, entitledTo: [] }),
    releasePolicy: () => ({ windows: config.xmeld.releases }),
    deadlineMs: 5_000,
    retry: new RetryPolicy({ attempts: 3, backoffMs: 5, minAttemptMs: 50 }),
    log: createLogger('silent'),
  };
  return { pipeline: new QueryPipeline(deps), jobs, written, normalized, query };
}

const hops = (records: NewProtocolRecord[]): string[] => records.map((r) => r.hop);

describe('QueryPipeline with fakes around it', () => {
  it('answers a hit, with every hop before the answer committed and delivered after it', async () => {
    const b = bench();
    const res = await b.pipeline.handle(Buffer.from('x'), 'text/xml');
    expect(res.status).toBe(200);
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
    expect(hops(b.written)).toEqual(['received', 'routed', 'dispatched', 'answered']);
    res.delivered?.(true);
    res.delivered?.(false); // told once: the second call records nothing
    await new Promise((r) => setTimeout(r, 10));
    expect(hops(b.written)).toEqual(['received', 'routed', 'dispatched', 'answered', 'delivered']);
    expect(b.jobs).toHaveLength(1);
    expect(b.jobs[0]?.target).toBe('land:09');
  });

  it('records delivery-failed when the connection ended before the answer was written', async () => {
    const b = bench();
    const res = await b.pipeline.handle(Buffer.from('x'), 'text/xml');
    res.delivered?.(false);
    await new Promise((r) => setTimeout(r, 10));
    expect(b.written.at(-1)?.hop).toBe('delivery-failed');
  });

  it('retries an unreachable register with a new message, each attempt on record before it is sent', async () => {
    const b = bench({
      register: async (_job, attempt) => {
        if (attempt === 1) throw new TechnicalFailureError('unreachable');
        return { status: 200, contentType: 'text/xml', body: Buffer.from('<a/>') };
      },
    });
    const res = await b.pipeline.handle(Buffer.from('x'), 'text/xml');
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
    const dispatched = b.written.filter((r) => r.hop === 'dispatched');
    expect(dispatched).toHaveLength(2);
    expect(dispatched[0]?.nachrichtenUUID).toBe(b.query.identification.nachrichtenUUID);
    expect(dispatched[1]?.nachrichtenUUID).not.toBe(dispatched[0]?.nachrichtenUUID);
    // The second envelope is another message (its own UUID), and its answer is read against it.
    expect(b.jobs[1]?.envelope).toContain(dispatched[1]?.nachrichtenUUID);
    expect(b.jobs[1]?.envelope).not.toContain(b.query.identification.nachrichtenUUID);
    expect(b.normalized.map((c) => c.queryUuid)).toEqual([dispatched[1]?.nachrichtenUUID]);
  });

  it('does not retry what the register answered, nor a non-transient failure', async () => {
    const b = bench({ register: async () => { throw new TechnicalFailureError('tooLarge'); } });
    const res = await b.pipeline.handle(Buffer.from('x'), 'text/xml');
    expect(answerFacts(res.body).rueckweisung).toEqual(['16']);
    expect(b.jobs).toHaveLength(1);
    expect(b.written.at(-1)?.hop).toBe('failed');
    expect(b.written.at(-1)?.outcome?.technicalFailure).toBe('tooLarge');
  });

  it('answers S999 and sends nothing when the protocol cannot take the evidence of leaving', async () => {
    const b = bench({ protocolFails: (records) => records.some((r) => r.hop === 'dispatched') });
    const res = await b.pipeline.handle(Buffer.from('x'), 'text/xml');
    expect(answerFacts(res.body).rts).toBe('S999');
    expect(b.jobs).toHaveLength(0);
    expect(res.delivered).toBeUndefined();
  });
});
