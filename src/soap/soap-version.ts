import { NS } from '../xml/namespaces.js';

export type SoapVersion = '1.1' | '1.2';

export const SOAP_NS: Record<SoapVersion, string> = { '1.1': NS.soap11, '1.2': NS.soap12 };

export const CONTENT_TYPE: Record<SoapVersion, string> = {
  '1.1': 'text/xml; charset=utf-8',
  '1.2': 'application/soap+xml; charset=utf-8',
};

export function soapVersionOfNamespace(ns: string): SoapVersion | undefined {
  if (ns === NS.soap11) return '1.1';
  if (ns === NS.soap12) return '1.2';
  return undefined;
}

/** The version a request's Content-Type announces (used to answer early faults in kind). */
export function soapVersionOfContentType(contentType: string | undefined): SoapVersion {
  return contentType !== undefined && contentType.toLowerCase().includes('application/soap+xml') ? '1.2' : '1.1';
}
