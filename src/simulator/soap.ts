/**
 * SOAP 1.1 / 1.2 envelopes and faults as the simulated registers send them. The answer uses
 * the version of the request; faults carry an optional 0910 in their detail.
 */
import { type SoapVersion } from './request.js';
import { NS } from '../xml/namespaces.js';
import { escapeText } from './xml-writer.js';

export const CONTENT_TYPE: Record<SoapVersion, string> = {
  '1.1': 'text/xml; charset=utf-8',
  '1.2': 'application/soap+xml; charset=utf-8',
};

/** Envelope with an optional header block (already serialized) and one body element. */
export function envelope(version: SoapVersion, body: string, headerXml?: string): string {
  const ns = version === '1.1' ? NS.soap11 : NS.soap12;
  // Copied fragments (gw:vorgang) go in verbatim: re-indenting would alter their whitespace.
  const header = headerXml ? `<soap:Header>\n${headerXml}\n</soap:Header>\n` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap:Envelope xmlns:soap="${ns}">\n${header}<soap:Body>\n${body}\n</soap:Body>\n</soap:Envelope>\n`
  );
}

export type FaultSide = 'sender' | 'receiver';

/** SOAP 1.1 answers every fault with 500; SOAP 1.2 uses 400 for Sender, 500 for Receiver. */
export function faultStatus(version: SoapVersion, side: FaultSide): number {
  return version === '1.2' && side === 'sender' ? 400 : 500;
}

export function faultBody(version: SoapVersion, side: FaultSide, reason: string, detailXml?: string): string {
  const text = escapeText(reason);
  if (version === '1.1') {
    const fc = side === 'sender' ? 'soap:Client' : 'soap:Server';
    const detail = detailXml ? `\n<detail>\n${detailXml}\n</detail>` : '';
    return `<soap:Fault>\n  <faultcode>${fc}</faultcode>\n  <faultstring xml:lang="de">${text}</faultstring>${detail}\n</soap:Fault>`;
  }
  const value = side === 'sender' ? 'soap:Sender' : 'soap:Receiver';
  const detail = detailXml ? `\n<soap:Detail>\n${detailXml}\n</soap:Detail>` : '';
  return (
    `<soap:Fault>\n  <soap:Code>\n    <soap:Value>${value}</soap:Value>\n  </soap:Code>\n` +
    `  <soap:Reason>\n    <soap:Text xml:lang="de">${text}</soap:Text>\n  </soap:Reason>${detail}\n</soap:Fault>`
  );
}
