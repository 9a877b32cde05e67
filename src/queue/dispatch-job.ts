import type { RegisterReply } from '../answer/register-reply.js';
import type { SoapVersion } from '../soap/soap-version.js';

/**
 * One forwarded query on its way to a target register. It holds the query (the caller's data,
 * needed to send it) but never an answer; implementations must not keep it after the job ends.
 */
export interface DispatchJob {
  vorgangsnummer: string;
  /** Route key, e.g. `land:09` or `mirror`; one queue per target. */
  target: string;
  url: string;
  soapVersion: SoapVersion;
  /** SOAPAction of the operation called (soap/soap-action.ts). */
  action: string;
  /** The signed SOAP envelope to send. */
  envelope: string;
  /** Epoch ms after which the caller no longer waits. */
  deadline: number;
}


export type DispatchHandler = (job: DispatchJob, signal: AbortSignal) => Promise<RegisterReply>;
