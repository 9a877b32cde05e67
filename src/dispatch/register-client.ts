import { Agent, errors as undiciErrors, request } from 'undici';
import { TechnicalFailureError } from '../errors.js';
import type { RegisterReply } from '../answer/register-reply.js';
import { CONTENT_TYPE, type SoapVersion } from '../soap/soap-version.js';

export interface RegisterClientOptions {
  connectTimeoutMs: number;
  /** Longest wait for the answer's headers, and between chunks of its body. */
  answerTimeoutMs: number;
  maxAnswerBytes: number;
  /** mTLS: the gateway's client certificate, and the CAs registers' server certificates chain to. */
  tls?: { key: string; cert: string; ca: string[] };
}

/**
 * Outbound HTTP to target registers: one keep-alive agent (pools per origin), a cap on the
 * answer size, and failures mapped to technical failure classes — never to their messages,
 * which may carry payload fragments.
 */
export class RegisterClient {
  private readonly agent: Agent;

  constructor(private readonly opts: RegisterClientOptions) {
    this.agent = new Agent({
      connect: {
        timeout: opts.connectTimeoutMs,
        ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, rejectUnauthorized: true } : {}),
      },
      keepAliveTimeout: 10_000,
      headersTimeout: opts.answerTimeoutMs,
      bodyTimeout: opts.answerTimeoutMs,
      maxResponseSize: opts.maxAnswerBytes,
    });
  }

  async send(url: string, soapVersion: SoapVersion, action: string, envelope: string, signal: AbortSignal): Promise<RegisterReply> {
    const headers: Record<string, string> = soapVersion === '1.1'
      ? { 'content-type': CONTENT_TYPE['1.1'], soapaction: `"${action}"` }
      : { 'content-type': `${CONTENT_TYPE['1.2']}; action="${action}"` };
    try {
      const res = await request(url, { method: 'POST', headers, body: envelope, dispatcher: this.agent, signal });
      const body = Buffer.from(await res.body.arrayBuffer());
      const ct = res.headers['content-type'];
      return { status: res.statusCode, contentType: Array.isArray(ct) ? ct[0] : ct, body };
    } catch (e) {
      throw new TechnicalFailureError(classify(e, signal), { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function classify(e: unknown, signal: AbortSignal): 'timeout' | 'unreachable' | 'tooLarge' {
  if (signal.aborted) return 'timeout';
  if (e instanceof undiciErrors.ResponseExceededMaxSizeError) return 'tooLarge';
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError
    || e instanceof undiciErrors.ConnectTimeoutError) return 'timeout';
  return 'unreachable';
}
