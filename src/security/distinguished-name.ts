import { x509 } from './x509-setup.js';

/**
 * Distinguished names compared as names, not as strings: a party's configured subject matches
 * a certificate's whether it is written in RFC 4514 order (`openssl -nameopt RFC2253`, most
 * specific RDN first) or in the certificate's own order, with RFC 4514 escaping, multi-valued
 * RDNs, any spacing after commas, attribute types in any case, and values compared as
 * caseIgnoreMatch does (case and inner runs of spaces ignored).
 */
type Rdn = string[]; // sorted "TYPE=value" pairs of one RDN

export class DistinguishedName {
  private constructor(private readonly rdns: Rdn[]) {}

  /** Throws for a string that is not a distinguished name. */
  static parse(dn: string): DistinguishedName {
    const json = new x509.Name(upperCaseTypes(dn)).toJSON();
    return new DistinguishedName(json.map((rdn) =>
      Object.entries(rdn).flatMap(([type, values]) => values.map((v) => `${type.toUpperCase()}=${normalizeValue(v)}`)).sort()));
  }

  /** Equal RDN by RDN, in the same order or in reverse order. */
  matches(other: DistinguishedName): boolean {
    return sameRdns(this.rdns, other.rdns) || sameRdns(this.rdns, [...other.rdns].reverse());
  }
}

/** A set of configured subjects to match certificate subjects against. */
export class SubjectMatcher {
  private readonly names: DistinguishedName[];

  /** Throws, naming the entry, for a configured subject that is not a distinguished name. */
  constructor(subjects: readonly string[]) {
    this.names = subjects.map((s, i) => {
      try {
        return DistinguishedName.parse(s);
      } catch {
        throw new Error(`signerSubjects[${i}]: not a distinguished name (expected e.g. "CN=…,O=…,C=DE")`);
      }
    });
  }

  get size(): number {
    return this.names.length;
  }

  has(subject: string): boolean {
    if (this.names.length === 0) return false;
    let dn: DistinguishedName;
    try {
      dn = DistinguishedName.parse(subject);
    } catch {
      return false;
    }
    return this.names.some((n) => n.matches(dn));
  }
}

/** Attribute types in upper case (`cn=` → `CN=`): the parser knows them only so. Escapes respected. */
function upperCaseTypes(dn: string): string {
  let out = '';
  let inType = true;
  let quoted = false;
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i] as string;
    if (c === '\\' && !inType) {
      out += c + (dn[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"' && !inType) quoted = !quoted;
    if (inType) {
      if (c === '=') inType = false;
      out += c.toUpperCase();
      continue;
    }
    if (!quoted && (c === ',' || c === '+' || c === ';')) inType = true;
    out += c;
  }
  return out;
}

function normalizeValue(v: string): string {
  return v.trim().replace(/\s+/g, ' ').toLowerCase();
}

function sameRdns(a: Rdn[], b: Rdn[]): boolean {
  return a.length === b.length && a.every((rdn, i) => {
    const other = b[i] as Rdn;
    return rdn.length === other.length && rdn.every((pair, k) => pair === other[k]);
  });
}
