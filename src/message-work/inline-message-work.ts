import { normalizeAnswer } from '../answer/normalize-answer.js';
import { acceptQuery, type AcceptedQuery, type AcceptDeps } from './accept-query.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { ParseLimits } from '../xml/parse-hardened.js';
import type { AnswerContext, MessageWork, NormalizedAnswer } from './message-work.js';

export interface InlineWorkDeps extends AcceptDeps {
  /** For registers' answers (lists can be larger than any query). */
  answerLimits: ParseLimits;
}

/** The steps on the calling thread: for tests, small setups, and inside each pool worker. */
export class InlineMessageWork implements MessageWork {
  constructor(private readonly deps: InlineWorkDeps) {}

  accept(raw: Buffer, clientCertificate?: string): Promise<AcceptedQuery> {
    return acceptQuery(raw, this.deps, clientCertificate);
  }

  sign(envelopeXml: string): Promise<string> {
    return this.deps.security.sign(envelopeXml);
  }

  async normalize(reply: RegisterReply, ctx: AnswerContext): Promise<NormalizedAnswer> {
    let legacy: NormalizedAnswer['legacy'];
    const outcome = await normalizeAnswer(reply, {
      answerNumber: ctx.answerNumber,
      queryUuid: ctx.queryUuid,
      sentRelease: ctx.sentRelease,
      callerRelease: ctx.callerRelease,
      validator: this.deps.validator,
      limits: this.deps.answerLimits,
      verify: async (raw, env) => {
        const v = await this.deps.security.verify(raw, env, {
          hop: 'register', target: ctx.target, ...(ctx.directoryCertificates ? { directoryCertificates: ctx.directoryCertificates } : {}),
        });
        if (v.legacy !== undefined && v.partyId !== undefined) legacy = { partyId: v.partyId, uses: v.legacy };
        return v;
      },
    });
    return legacy === undefined ? { outcome } : { outcome, legacy };
  }

  /** Nothing of its own to free: the schemas are the ConfiguredWork's. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
