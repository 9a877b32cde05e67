import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's own schema files (XMeld 25.11a and 26.11 XSDs, gateway header XSD, WSDL) live in
 * `schemas/` at the project root. This module finds them and hands them out, for the
 * validator and for the HTTP layer that serves `GET /xmeld?wsdl` and `GET /xmeld?xsd=…`.
 */

/** Absolute path of the project's `schemas/` folder (works from `src/` and from `dist/src/`). */
export const schemaDir: string = findSchemaDir(path.dirname(fileURLToPath(import.meta.url)));

/** Path of the WSDL below `schemas/`. */
export const wsdlFile = 'xmeld-gateway.wsdl';
/** Entry XSD of each release's XMeld set below `schemas/`. */
export const XMELD_ENTRY_FILES = { '25.11a': 'xmeld-2511a/xmeld.xsd', '26.11': 'xmeld-2611/xmeld.xsd' } as const;
/** Entry XSD of the XMeld 25.11a set below `schemas/`. */
export const xmeldEntryFile = XMELD_ENTRY_FILES['25.11a'];
/** XSD of the gateway's own SOAP header below `schemas/`. */
export const gatewayXsdFile = 'gateway.xsd';

/** Placeholder in the WSDL's soap:address that the server replaces with its endpoint URL. */
export const endpointPlaceholder = '{{ENDPOINT}}';

function findSchemaDir(start: string): string {
  // src/xml -> project root is two levels up; dist/src/xml is three.
  for (const up of ['../..', '../../..']) {
    const candidate = path.resolve(start, up, 'schemas');
    if (existsSync(path.join(candidate, 'xmeld-2511a', 'xmeld.xsd'))) return candidate;
  }
  return path.resolve(start, '../..', 'schemas');
}

/** Thrown for a path that is not a schema file below `schemas/` (traversal, other file types). */
export class SchemaFileNotFoundError extends Error {
  override readonly name = 'SchemaFileNotFoundError';
  constructor() {
    super('Schemadatei nicht gefunden');
  }
}

/**
 * Normalises a path relative to `schemas/` and refuses anything that could leave it or that is
 * not an .xsd/.wsdl file. Returns the normalised relative path with forward slashes.
 */
export function normaliseSchemaPath(relPath: string): string {
  if (relPath.length === 0 || relPath.length > 200) throw new SchemaFileNotFoundError();
  // Only plain path characters: no NUL, no backslash, no percent-escapes, no drive letters.
  if (!/^[A-Za-z0-9._\-/]+$/.test(relPath)) throw new SchemaFileNotFoundError();
  const normalised = path.posix.normalize(relPath);
  if (
    normalised.startsWith('/') ||
    normalised === '..' ||
    normalised.startsWith('../') ||
    normalised.split('/').some((seg) => seg === '..' || seg === '' || seg.startsWith('.'))
  ) {
    throw new SchemaFileNotFoundError();
  }
  if (!normalised.endsWith('.xsd') && !normalised.endsWith('.wsdl')) throw new SchemaFileNotFoundError();
  return normalised;
}

/** Reads a schema file below `schemas/` as UTF-8 text; refuses path traversal. */
export function readSchemaFile(relPath: string): string {
  const rel = normaliseSchemaPath(relPath);
  const abs = path.resolve(schemaDir, rel);
  if (!abs.startsWith(schemaDir + path.sep)) throw new SchemaFileNotFoundError();
  try {
    return readFileSync(abs, 'utf8');
  } catch {
    throw new SchemaFileNotFoundError();
  }
}

/**
 * The text of a schema file as it is served over HTTP, next to the WSDL at `<endpoint>?wsdl`.
 *
 * Why the rewrite: the files on disk include each other by plain relative paths (so xmllint,
 * libxml2 and node-soap resolve them from the file system). Over HTTP they are served as
 * `<endpoint>?xsd=<path below schemas/>`; a relative `datentypen.xsd` resolved against
 * `http://host/xmeld?xsd=xmeld-2511a/xmeld.xsd` would become `http://host/datentypen.xsd`.
 * So every `schemaLocation` becomes the query-only reference `?xsd=<resolved path>`, which any
 * RFC 3986 client resolves against `http://host/xmeld?…` to `http://host/xmeld?xsd=…`.
 * In the WSDL, `{{ENDPOINT}}` is replaced by `endpoint` when one is given.
 */
export function readSchemaFileForHttp(relPath: string, endpoint?: string): string {
  const rel = normaliseSchemaPath(relPath);
  let text = readSchemaFile(rel).replace(/schemaLocation="([^"]+)"/g, (_m, loc: string) => {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), loc));
    return `schemaLocation="?xsd=${normaliseSchemaPath(target)}"`;
  });
  if (endpoint !== undefined && rel === wsdlFile) {
    text = text.split(endpointPlaceholder).join(escapeAttribute(endpoint));
  }
  return text;
}

/** All .xsd files below `schemas/`, as normalised relative paths, sorted. */
export function listSchemaFiles(): string[] {
  return listSchemaFilesIn(schemaDir);
}

/** All .xsd files below `dir`, as relative paths with forward slashes, sorted. */
export function listSchemaFilesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (dirRel: string): void => {
    for (const entry of readdirSync(path.join(dir, dirRel), { withFileTypes: true })) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && entry.name.endsWith('.xsd')) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * The WSDL for callers of one XMeld release: the same operations, their messages typed by that
 * release's schema set. `schemas/` holds the 25.11a form; the 26.11 form differs only in the
 * XMeld namespace and the schema it imports, so it is derived, not kept twice.
 */
export function readWsdlForHttp(release: '25.11a' | '26.11', endpoint?: string): string {
  const base = readSchemaFileForHttp(wsdlFile, endpoint);
  if (release === '25.11a') return base;
  return base
    .replaceAll('http://www.osci.de/xmeld2511a', 'http://www.osci.de/xmeld2611')
    .replaceAll(`?xsd=${XMELD_ENTRY_FILES['25.11a']}`, `?xsd=${XMELD_ENTRY_FILES['26.11']}`);
}
