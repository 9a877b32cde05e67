/**
 * The official XMeld schemas of a release, compiled in-process by libxml2-wasm, with every
 * import resolved offline through the OASIS catalog in ../shared/xmeld/<release>/official/
 * (read where it is, never copied). One compile per release and entry file per process. A
 * further release is added by its folder name alone (same layout: schemas/, official/).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  closeBuffer, openBuffer, readBuffer, XmlDocument, XmlValidateError, xmlRegisterInputProvider, XsdValidator,
} from 'libxml2-wasm';
import { sharedDir } from './paths.js';

/** URL or absolute path -> local file, filled from every release's catalog as it is loaded. */
const resolved = new Map<string, string>();
/** Release folders whose files libxml2-wasm (which has no file system of its own) may read. */
const releaseDirs = new Set<string>();
/** In-memory schema documents (absolute path -> bytes), e.g. a driver including several entries. */
const virtualFiles = new Map<string, Uint8Array>();
let providerRegistered = false;

function localFileOf(name: string): string | undefined {
  const direct = resolved.get(name);
  if (direct !== undefined) return direct;
  let abs: string;
  try { abs = name.startsWith('file:') ? fileURLToPath(name) : name; } catch { return undefined; }
  if (!path.isAbsolute(abs)) return undefined;
  abs = path.resolve(abs);
  if (virtualFiles.has(abs)) return abs;
  for (const dir of releaseDirs) if (abs.startsWith(dir + path.sep) && existsSync(abs)) return abs;
  return undefined;
}

function ensureProvider(): void {
  if (providerRegistered) return;
  const ok = xmlRegisterInputProvider({
    match: (name) => localFileOf(name) !== undefined,
    open: (name) => {
      const f = localFileOf(name);
      if (f === undefined) return undefined;
      return openBuffer(virtualFiles.get(f) ?? readFileSync(f));
    },
    read: (fd, buf) => readBuffer(fd, buf),
    close: (fd) => { closeBuffer(fd); return true; },
  });
  if (!ok) throw new Error('libxml2 input provider could not be registered');
  providerRegistered = true;
}

/** The catalog's system/uri entries (URL -> file, relative to the catalog). */
export function readCatalog(catalogFile: string): Map<string, string> {
  const text = readFileSync(catalogFile, 'utf8');
  const out = new Map<string, string>();
  const dir = path.dirname(catalogFile);
  for (const m of text.matchAll(/<(system|uri)\s+(?:systemId|name)="([^"]+)"\s+uri="([^"]+)"/g)) {
    out.set(m[2] as string, path.resolve(dir, m[3] as string));
  }
  return out;
}

function registerRelease(release: string): string {
  const base = path.join(sharedDir, 'xmeld', release);
  for (const [url, file] of readCatalog(path.join(base, 'official/catalog.xml'))) resolved.set(url, file);
  releaseDirs.add(path.resolve(base));
  ensureProvider();
  return base;
}

const compiled = new Map<string, XsdValidator>();

/** The compiled official schema whose entry is `schemas/<entry>` of `release`. */
export function officialSchema(release: string, entry: string): XsdValidator {
  const key = `${release}/${entry}`;
  const known = compiled.get(key);
  if (known !== undefined) return known;
  const base = registerRelease(release);
  const entryPath = path.resolve(base, 'schemas', entry);
  const doc = XmlDocument.fromBuffer(virtualFiles.get(entryPath) ?? readFileSync(entryPath), { url: pathToFileURL(entryPath).href });
  try {
    const v = XsdValidator.fromDoc(doc);
    compiled.set(key, v);
    return v;
  } finally {
    doc.dispose();
  }
}

/** The entry files of the messages the gateway reads and writes (0910 is administration). */
export const messageEntries = ['xmeld-nachrichten-datenabrufe.xsd', 'xmeld-nachrichten-administration.xsd'];

/**
 * One compiled schema for every message of `release` (both entry files, same namespace): a
 * driver that includes them, served from memory beside them so their relative paths resolve.
 */
export function officialMessagesSchema(release: string): XsdValidator {
  const entry = '.all-messages.xsd';
  const driverPath = path.resolve(sharedDir, 'xmeld', release, 'schemas', entry);
  if (!virtualFiles.has(driverPath)) {
    const ns = /targetNamespace="([^"]+)"/.exec(readFileSync(path.join(path.dirname(driverPath), messageEntries[0] as string), 'utf8'))?.[1];
    if (ns === undefined) throw new Error(`no targetNamespace in the ${release} schemas`);
    const includes = messageEntries.map((f) => `<xs:include schemaLocation="${f}"/>`).join('');
    virtualFiles.set(driverPath, new TextEncoder().encode(
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${ns}">${includes}</xs:schema>`,
    ));
  }
  return officialSchema(release, entry);
}

/** libxml2's complaints about `xml` against `schemas/<entry>` of `release`; empty when valid. */
export function officialErrors(release: string, entry: string, xml: string): string[] {
  return errorsOf(officialSchema(release, entry), xml);
}

/** libxml2's complaints about any message of `release` (1330–1333, 0910); empty when valid. */
export function officialMessageErrors(release: string, xml: string): string[] {
  return errorsOf(officialMessagesSchema(release), xml);
}

function errorsOf(v: XsdValidator, xml: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    v.validate(doc);
    return [];
  } catch (e) {
    if (e instanceof XmlValidateError) return e.details.map((d) => `${d.line}: ${d.message.trim()}`);
    throw e;
  } finally {
    doc.dispose();
  }
}
