import { TechnicalFailureClass, type TechnicalFailure } from '../errors.js';
import type { DispatchJob } from './dispatch-job.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { PayloadSealer } from './payload-sealer.js';

/**
 * What a BullMQ job holds in Redis while it lives. Only routing facts are clear text — whom to
 * answer, until when, with which key — the query itself is sealed.
 */
export interface QueuedJobData {
  v: 1;
  /** Instance id of the dispatching gateway (its reply channel). */
  replyTo: string;
  deadline: number;
  keyId: string;
  /** base64 of the sealed DispatchJob. */
  sealed: string;
}

/** How a dispatch ended, as the worker reports it to the waiting instance. */
export type DispatchOutcome = { reply: RegisterReply } | { failure: TechnicalFailure };

export function sealJob(sealer: PayloadSealer, jobId: string, job: DispatchJob, replyTo: string): QueuedJobData {
  const plain = Buffer.from(JSON.stringify(job), 'utf8');
  return { v: 1, replyTo, deadline: job.deadline, keyId: sealer.keyId, sealed: sealer.seal(plain, jobContext(jobId)).toString('base64') };
}

/** Throws on a foreign key or altered data; the caller maps that to a fixed failure class. */
export function openJob(sealer: PayloadSealer, jobId: string, data: QueuedJobData): DispatchJob {
  const plain = sealer.open(Buffer.from(data.sealed, 'base64'), jobContext(jobId));
  return JSON.parse(plain.toString('utf8')) as DispatchJob;
}

/**
 * A reply frame, binary to keep large answers small on the wire (no base64, no JSON escaping):
 * u16 id length ‖ job id ‖ kind ‖ payload, where kind 1 is a reply, payload
 * sealed( u32 header length ‖ header JSON ‖ body ), and kind 2 a failure, payload the failure
 * class code in clear. Failures are not sealed: they hold no content, and a worker whose key
 * differs must still be able to tell the caller that it cannot take the job.
 */
export function encodeOutcome(sealer: PayloadSealer, jobId: string, outcome: DispatchOutcome): Buffer {
  const id = Buffer.from(jobId, 'utf8');
  const idLen = Buffer.alloc(2);
  idLen.writeUInt16BE(id.length);
  if ('failure' in outcome) return Buffer.concat([idLen, id, Buffer.from([KIND_FAILURE]), Buffer.from(outcome.failure, 'utf8')]);
  const header = Buffer.from(JSON.stringify({ status: outcome.reply.status, contentType: outcome.reply.contentType ?? null }), 'utf8');
  const headerLen = Buffer.alloc(4);
  headerLen.writeUInt32BE(header.length);
  const sealed = sealer.seal(Buffer.concat([headerLen, header, outcome.reply.body]), replyContext(jobId));
  return Buffer.concat([idLen, id, Buffer.from([KIND_REPLY]), sealed]);
}

/** The job id of a frame, readable without the key, so a frame can be matched before opening. */
export function frameJobId(frame: Buffer): string | undefined {
  if (frame.length < 3) return undefined;
  const len = frame.readUInt16BE(0);
  if (frame.length < 3 + len) return undefined;
  return frame.subarray(2, 2 + len).toString('utf8');
}

/** Throws when the frame is malformed or a reply was not sealed for this job with this key. */
export function decodeOutcome(sealer: PayloadSealer, frame: Buffer): { jobId: string; outcome: DispatchOutcome } {
  const jobId = frameJobId(frame);
  if (jobId === undefined) throw new Error('malformed reply frame');
  const at = 2 + Buffer.byteLength(jobId, 'utf8');
  const kind = frame[at];
  const payload = frame.subarray(at + 1);
  if (kind === KIND_FAILURE) {
    const code = payload.toString('utf8');
    return { jobId, outcome: { failure: code in TechnicalFailureClass ? code as TechnicalFailure : 'internal' } };
  }
  if (kind !== KIND_REPLY) throw new Error('malformed reply frame');
  const plain = sealer.open(payload, replyContext(jobId));
  const headerLen = plain.readUInt32BE(0);
  const header = JSON.parse(plain.subarray(4, 4 + headerLen).toString('utf8')) as { status: number; contentType: string | null };
  const body = Buffer.from(plain.subarray(4 + headerLen));
  return { jobId, outcome: { reply: { status: header.status, contentType: header.contentType ?? undefined, body } } };
}

const KIND_REPLY = 1;
const KIND_FAILURE = 2;

function jobContext(jobId: string): string {
  return `xmeld-queue:job:${jobId}`;
}

function replyContext(jobId: string): string {
  return `xmeld-queue:reply:${jobId}`;
}
