import type { DispatchHandler } from '../queue/dispatch-job.js';
import type { RegisterClient } from './register-client.js';

/** The worker side of the queue: send the signed envelope to the register, return its reply. */
export function createDispatchHandler(client: RegisterClient): DispatchHandler {
  return (job, signal) => client.send(job.url, job.soapVersion, job.action, job.envelope, signal);
}
