import type { DispatchHandler } from '../queue/dispatch-job.js';
import type { RegisterClient } from './register-client.js';

/** SOAP actions of the forwarded operations, as the gateway's own WSDL names them. */
const ACTION = 'urn:xmeld-gateway:1:personensuche';

/** The worker side of the queue: send the signed envelope to the register, return its reply. */
export function createDispatchHandler(client: RegisterClient): DispatchHandler {
  return (job, signal) => client.send(job.url, job.soapVersion, ACTION, job.envelope, signal);
}
