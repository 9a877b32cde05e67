import { RtsReason, type RtsCode } from '../errors.js';
import { escapeText } from '../xml/escape.js';
import type { SoapVersion } from './soap-version.js';

export interface FaultParts {
  version: SoapVersion;
  code: RtsCode;
  side: 'sender' | 'receiver';
  /** Fixed text for the fault reason; never request content. */
  reason?: string;
  /** The 0910 that goes into the detail. */
  rtsXml: string;
}

/** A SOAP Fault (Client/Sender or Server/Receiver) with the 0910 in its detail. */
export function writeFault(p: FaultParts): { xml: string; httpStatus: number } {
  const reason = escapeText(`${p.code}: ${p.reason ?? RtsReason[p.code]}`);
  if (p.version === '1.1') {
    const code = p.side === 'sender' ? 'soap:Client' : 'soap:Server';
    return {
      xml: `<soap:Fault><faultcode>${code}</faultcode><faultstring xml:lang="de">${reason}</faultstring>`
        + `<detail>${p.rtsXml}</detail></soap:Fault>`,
      httpStatus: 500,
    };
  }
  const code = p.side === 'sender' ? 'soap:Sender' : 'soap:Receiver';
  return {
    xml: `<soap:Fault><soap:Code><soap:Value>${code}</soap:Value></soap:Code>`
      + `<soap:Reason><soap:Text xml:lang="de">${reason}</soap:Text></soap:Reason>`
      + `<soap:Detail>${p.rtsXml}</soap:Detail></soap:Fault>`,
    // SOAP 1.2 HTTP binding: Sender faults are 400, Receiver faults 500.
    httpStatus: p.side === 'sender' ? 400 : 500,
  };
}
