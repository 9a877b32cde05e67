/**
 * Compiles the official XMeld 25.11a schemas from ../shared/xmeld (reference material, read at
 * test time, never copied) so the simulator's output can be checked against the official
 * structure. The imported XInneres/XÖV/DIN modules are not available offline; each type they
 * contribute is replaced in memory by a lax stand-in (any content, any attributes), so the
 * check covers every XMeld-namespace element — order, qualification, cardinality — and leaves
 * the insides of the external types unchecked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  closeBuffer,
  openBuffer,
  readBuffer,
  XmlDocument,
  xmlRegisterInputProvider,
  XsdValidator,
} from 'libxml2-wasm';

const SHARED = fileURLToPath(new URL('../../../shared/xmeld/25.11a/schemas/', import.meta.url));
const VIRTUAL = '/virtual/xmeld-official-2511a/';

export const officialSchemasAvailable = existsSync(SHARED);

const LAX_CONTENT =
  '<xs:sequence><xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>' +
  '<xs:anyAttribute processContents="lax"/>';

/**
 * The stand-in for one external type. Two shapes are known well enough to be stricter than
 * "anything": XÖV code types (`code` then optional `name`, both unqualified), and
 * xima:Meldeanschrift, whose element sequence the official schema itself spells out in the
 * restriction type.AnschriftMelderecht.Inland (passed in as `meldeanschrift`).
 */
function stubType(ns: string, name: string, meldeanschrift: string[]): string {
  if (ns.includes('din-91379') || name === 'UUID') {
    return `<xs:simpleType name="${name}"><xs:restriction base="xs:string"/></xs:simpleType>`;
  }
  if (name === 'Code' || name.startsWith('Code.')) {
    return (
      `<xs:complexType name="${name}"><xs:sequence><xs:element name="code" type="xs:token"/>` +
      '<xs:element name="name" type="xs:string" minOccurs="0"/></xs:sequence><xs:anyAttribute processContents="lax"/></xs:complexType>'
    );
  }
  if (name === 'Meldeanschrift' && meldeanschrift.length > 0) {
    const elements = meldeanschrift.map((e) => `<xs:element name="${e}" minOccurs="0" type="xs:anyType"/>`).join('');
    return `<xs:complexType name="${name}"><xs:sequence>${elements}</xs:sequence></xs:complexType>`;
  }
  return `<xs:complexType name="${name}" mixed="true">${LAX_CONTENT}</xs:complexType>`;
}

function stubSchema(ns: string, names: Set<string>, meldeanschrift: string[]): string {
  const types = [...names].sort().map((n) => stubType(ns, n, meldeanschrift));
  return `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${ns}">${types.join('')}</xs:schema>`;
}

/** Element names, in order, of the official restriction of xima:Meldeanschrift (baukasten). */
function meldeanschriftSequence(baukasten: string): string[] {
  const start = baukasten.indexOf('<xs:complexType name="type.AnschriftMelderecht.Inland">');
  if (start < 0) return [];
  const body = baukasten.slice(start, baukasten.indexOf('</xs:complexType>', start));
  return [...body.matchAll(/<xs:element name="([\w.]+)"/g)].map((m) => m[1]!);
}

export function loadOfficialValidator(): XsdValidator {
  const sources = new Map<string, string>();
  for (const f of readdirSync(SHARED).filter((n) => n.endsWith('.xsd'))) sources.set(f, readFileSync(SHARED + f, 'utf8'));

  // Which external types are referenced, per namespace.
  const prefixNs = new Map<string, string>();
  const refs = new Map<string, Set<string>>();
  for (const text of sources.values()) {
    for (const m of text.matchAll(/xmlns:([\w-]+)="([^"]+)"/g)) prefixNs.set(m[1]!, m[2]!);
  }
  for (const text of sources.values()) {
    for (const m of text.matchAll(/(?:type|base)="([\w-]+):([\w.]+)"/g)) {
      const ns = prefixNs.get(m[1]!);
      if (!ns || m[1] === 'xs' || m[1] === 'xmeld') continue;
      if (!refs.has(ns)) refs.set(ns, new Set());
      refs.get(ns)!.add(m[2]!);
    }
  }
  const meldeanschrift = meldeanschriftSequence(sources.get('xmeld-baukasten.xsd') ?? '');
  const files = new Map<string, Uint8Array>();
  const stubName = new Map<string, string>();
  let i = 0;
  for (const [ns, names] of refs) {
    const name = `stub-${i++}.xsd`;
    stubName.set(ns, name);
    files.set(VIRTUAL + name, new TextEncoder().encode(stubSchema(ns, names, meldeanschrift)));
  }
  const imports = [...stubName].map(([ns, f]) => `<xs:import namespace="${ns}" schemaLocation="${f}"/>`).join('');
  for (const [f, text] of sources) {
    const rewritten = text
      .replace(/<xs:import\b[^>]*\/>/g, '')
      .replace(/(<xs:schema\b[^>]*>)/, `$1${imports}`);
    files.set(VIRTUAL + f, new TextEncoder().encode(rewritten));
  }
  files.set(
    VIRTUAL + 'driver.xsd',
    new TextEncoder().encode(
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.osci.de/xmeld2511a">' +
        '<xs:include schemaLocation="xmeld-nachrichten-datenabrufe.xsd"/><xs:include schemaLocation="xmeld-nachrichten-administration.xsd"/></xs:schema>',
    ),
  );

  const lookup = (name: string): Uint8Array | undefined => files.get(name.startsWith('file://') ? name.slice(7) : name);
  xmlRegisterInputProvider({
    match: (name) => lookup(name) !== undefined,
    open: (name) => {
      const bytes = lookup(name);
      return bytes === undefined ? undefined : openBuffer(bytes);
    },
    read: (fd, buf) => readBuffer(fd, buf),
    close: (fd) => {
      closeBuffer(fd);
      return true;
    },
  });
  const driver = XmlDocument.fromBuffer(files.get(VIRTUAL + 'driver.xsd')!, { url: `file://${VIRTUAL}driver.xsd` });
  try {
    return XsdValidator.fromDoc(driver);
  } finally {
    driver.dispose();
  }
}
