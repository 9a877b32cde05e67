import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeBuffer, openBuffer, readBuffer, xmlRegisterInputProvider, type XmlInputProvider } from 'libxml2-wasm';

/**
 * Serves the project's schema files to libxml2 from memory while schemas compile.
 *
 * libxml2 input providers are process-wide and cannot be removed one by one, so this module
 * registers exactly one provider, once, and it answers only for the absolute paths of schema
 * files handed to `registerSchemaFiles`. Every other name (network URLs, other local files) is
 * left to libxml2's defaults, which the gateway's parse options keep from loading anything.
 */

const files = new Map<string, Uint8Array>();
let registered = false;

/** Makes these files (absolute path -> content) resolvable for xs:include / xs:import. */
export function registerSchemaFiles(entries: ReadonlyMap<string, Uint8Array>): void {
  for (const [abs, bytes] of entries) files.set(path.resolve(abs), bytes);
  if (!registered) {
    if (!xmlRegisterInputProvider(provider)) throw new Error('libxml2 input provider could not be registered');
    registered = true;
  }
}

/** The absolute path libxml2 means by `name` (a file: URL or a path), if it is a known schema. */
function known(name: string): Uint8Array | undefined {
  let abs: string;
  try {
    abs = name.startsWith('file:') ? fileURLToPath(name) : name;
  } catch {
    return undefined;
  }
  if (!path.isAbsolute(abs)) return undefined;
  return files.get(path.resolve(abs));
}

const provider: XmlInputProvider = {
  match: (name) => known(name) !== undefined,
  open: (name) => {
    const bytes = known(name);
    return bytes === undefined ? undefined : openBuffer(bytes);
  },
  read: (fd, buf) => readBuffer(fd, buf),
  close: (fd) => {
    closeBuffer(fd);
    return true;
  },
};
