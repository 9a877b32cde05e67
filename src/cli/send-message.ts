import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import { CONTENT_TYPE, type SoapVersion } from '../soap/soap-version.js';
import { soapActionOfRoot } from '../soap/soap-action.js';
import { bareMessage, writeEnvelope } from '../soap/write-envelope.js';
import { ReleaseSchemas } from '../xmeld/release-schemas.js';
import { RELEASES, releaseOfNamespace, type Release } from '../xmeld/releases.js';
import { translateQuery } from '../xmeld/translate/translate-query.js';

/**
 * `xmeld-gateway send FILE`: sends a message as a configured party would. A bare XMeld message
 * is wrapped in a SOAP envelope; a file that already is an envelope goes as it is.
 */
export async function sendMessageFile(
  file: string,
  url: string,
  opts: { soapVersion: SoapVersion; sign?: (xml: string) => Promise<string>; freshUuid?: boolean; xmeldRelease?: Release },
): Promise<{ status: number; body: string; sentUuid?: string }> {
  const read = bareMessage(await readFile(file, 'utf8'));
  const isEnvelope = /^<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(read);
  const text = opts.xmeldRelease === undefined || isEnvelope ? read : inRelease(read, opts.xmeldRelease);
  const message = opts.freshUuid && !isEnvelope
    ? text.replace(/<nachrichtenUUID>[^<]*<\/nachrichtenUUID>/, `<nachrichtenUUID>${randomUUID()}</nachrichtenUUID>`)
    : text;
  let envelope = isEnvelope ? text : writeEnvelope({ version: opts.soapVersion, body: message });
  if (!isEnvelope && opts.sign) envelope = await opts.sign(envelope);
  const action = soapActionOfRoot(/<(?:[\w.-]+:)?(datenabruf\.[\w.]+)/.exec(message)?.[1] ?? '');
  const headers = opts.soapVersion === '1.1'
    ? { 'content-type': CONTENT_TYPE['1.1'], soapaction: `"${action}"` }
    : { 'content-type': `${CONTENT_TYPE['1.2']}; action="${action}"` };
  const res = await request(url, { method: 'POST', headers, body: envelope });
  const sentUuid = /<nachrichtenUUID>([^<]*)<\/nachrichtenUUID>/.exec(message)?.[1];
  return { status: res.statusCode, body: await res.body.text(), ...(sentUuid !== undefined ? { sentUuid } : {}) };
}

/**
 * `--xmeld-version`: a 1330/1332 written in one release, sent in another, translated by the
 * gateway's own table (docs/xmeld-releases.md) and checked against the target release's schema.
 */
function inRelease(xml: string, to: Release): string {
  const ns = /xmlns(?::[\w.-]+)?="(http:\/\/www\.osci\.de\/xmeld[^"]*)"/.exec(xml)?.[1];
  const from = ns === undefined ? undefined : releaseOfNamespace(ns);
  if (from === undefined) throw new Error(`not an XMeld ${RELEASES.join('/')} message: cannot send it as ${to}`);
  if (from === to) return xml;
  const message = /suchanfrage\.1332[\s>]/.test(xml) ? '1332' : '1330';
  const schemas = ReleaseSchemas.load();
  try {
    return translateQuery(xml, { message, from, to }, schemas.validator);
  } finally {
    schemas.dispose();
  }
}
