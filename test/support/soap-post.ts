import { request } from 'undici';
import { bareMessage } from '../../src/soap/write-envelope.js';

/** POSTs raw bytes as a SOAP request; returns status, content type and body text. */
export async function postSoap(
  endpoint: string,
  body: string | Buffer,
  version: '1.1' | '1.2' = '1.1',
): Promise<{ status: number; contentType: string; body: string }> {
  const contentType = version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8';
  const res = await request(endpoint, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(version === '1.1' ? { soapaction: '"urn:xmeld-gateway:1:personensuche"' } : {}) },
    body,
  });
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: await res.body.text() };
}

/** Wraps an XMeld message in a SOAP envelope (no header). */
export function envelope(message: string, version: '1.1' | '1.2' = '1.1'): string {
  const ns = version === '1.1' ? 'http://schemas.xmlsoap.org/soap/envelope/' : 'http://www.w3.org/2003/05/soap-envelope';
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${ns}"><soap:Body>${bareMessage(message)}</soap:Body></soap:Envelope>`;
}

