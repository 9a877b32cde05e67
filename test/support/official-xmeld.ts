/**
 * The standard's verdict on a message: xmllint against the official schemas of its XMeld
 * release, with every import resolved offline through the catalog in
 * ../shared/xmeld/<release>/official/ (reference material, read where it is, never copied).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import type { Release } from '../../src/xmeld/releases.js';
import { selfContainedXml } from '../../src/xml/self-contained.js';
import { sharedDir } from './paths.js';

export interface OfficialVerdict {
  valid: boolean;
  /** xmllint's complaints (file names stripped), empty when valid. */
  errors: string;
}

/** The official schema file that declares a message's root: 0910 is an administration message. */
function schemaFileOf(xml: string): string {
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<[\w.-]*:?administration\./.test(xml)
    ? 'xmeld-nachrichten-administration.xsd'
    : 'xmeld-nachrichten-datenabrufe.xsd';
}

/** Validates several messages, one xmllint run per schema file (one compile of the set each). */
export function officialVerdicts(release: Release, messages: string[]): OfficialVerdict[] {
  const out: OfficialVerdict[] = new Array<OfficialVerdict>(messages.length);
  const bySchema = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const f = schemaFileOf(m);
    bySchema.set(f, [...(bySchema.get(f) ?? []), i]);
  });
  for (const [schema, indexes] of bySchema) {
    const verdicts = runXmllint(release, schema, indexes.map((i) => messages[i] as string));
    indexes.forEach((i, k) => { out[i] = verdicts[k] as OfficialVerdict; });
  }
  return out;
}

function runXmllint(release: Release, schema: string, messages: string[]): OfficialVerdict[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-official-'));
  try {
    const files = messages.map((m, i) => {
      const f = path.join(dir, `m${i}.xml`);
      writeFileSync(f, m);
      return f;
    });
    const base = path.join(sharedDir, 'xmeld', release);
    const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', path.join(base, 'schemas', schema), ...files], {
      env: { ...process.env, XML_CATALOG_FILES: path.join(base, 'official/catalog.xml') }, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024,
    });
    const output = String(run.stderr ?? '');
    return files.map((f) => {
      // xmllint names every file "validates" or "fails to validate"; anything else (not installed,
      // killed, a schema it could not read) is no verdict, and must not pass for "valid".
      const failed = output.includes(`${f} fails to validate`);
      if (!failed && !output.includes(`${f} validates`)) {
        throw new Error(`xmllint gave no verdict on ${path.basename(f)} (exit ${String(run.status)}${run.error ? `, ${run.error.message}` : ''}): ${output.slice(0, 500)}`);
      }
      const mine = output.split('\n').filter((l) => l.startsWith(f) && !l.endsWith('fails to validate') && !l.endsWith(' validates'));
      return { valid: !failed && mine.length === 0, errors: mine.map((l) => l.slice(f.length)).join('\n') };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function officialVerdict(release: Release, message: string): OfficialVerdict {
  return officialVerdicts(release, [message])[0] as OfficialVerdict;
}

/**
 * The XMeld message inside a SOAP envelope, as a standalone document: the Body's element, or
 * for a fault the 0910 in its detail.
 */
export function xmeldMessageOf(envelopeXml: string): string | undefined {
  const doc = XmlDocument.fromString(envelopeXml);
  try {
    const found = doc.get('//*[starts-with(namespace-uri(), "http://www.osci.de/xmeld")][not(ancestor::*[starts-with(namespace-uri(), "http://www.osci.de/xmeld")])]');
    return found instanceof XmlElement ? selfContainedXml(found) : undefined;
  } finally {
    doc.dispose();
  }
}

/** The release a message's root namespace names (a message of neither release reads as 25.11a, and fails there). */
export function releaseOfMessage(xml: string): Release {
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<[^>]*xmlns(:[\w.-]+)?="http:\/\/www\.osci\.de\/xmeld2611"/.test(xml) ? '26.11' : '25.11a';
}

/** The standard's verdict on each message, each against the official schemas of its own release. */
export function officialVerdictsByRelease(messages: string[]): Array<OfficialVerdict & { release: Release }> {
  const out = new Array<OfficialVerdict & { release: Release }>(messages.length);
  for (const release of ['25.11a', '26.11'] as const) {
    const indexes = messages.map((m, i) => (releaseOfMessage(m) === release ? i : -1)).filter((i) => i >= 0);
    if (indexes.length === 0) continue;
    const verdicts = officialVerdicts(release, indexes.map((i) => messages[i] as string));
    indexes.forEach((i, k) => { out[i] = { ...(verdicts[k] as OfficialVerdict), release }; });
  }
  return out;
}
