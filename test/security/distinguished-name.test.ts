import { describe, expect, it } from 'vitest';
import { DistinguishedName, SubjectMatcher } from '../../src/security/distinguished-name.js';

const same = (a: string, b: string) => DistinguishedName.parse(a).matches(DistinguishedName.parse(b));

describe('distinguished names compared as names', () => {
  it.each([
    ['CN=land-05, OU=TEST, O=XMeld Gateway Test PKI, C=DE', 'C=DE,O=XMeld Gateway Test PKI,OU=TEST,CN=land-05', true],
    ['CN=land-05, OU=TEST, O=XMeld Gateway Test PKI, C=DE', 'CN=land-05,OU=TEST,O=XMeld Gateway Test PKI,C=DE', true],
    ['CN=land-05,O=X,C=DE', 'cn=LAND-05,o=x,c=de', true],
    ['CN=Amt  Nord,O=X', 'CN=Amt Nord,O=X', true],
    ['CN=Müller\\, Hans,O=X', 'O=X,CN=Müller\\, Hans', true],
    ['CN=a+OU=b,O=X', 'OU=b+CN=a,O=X', true],
    ['CN=land-05,O=X,C=DE', 'CN=land-06,O=X,C=DE', false],
    ['CN=land-05,O=X,C=DE', 'CN=land-05,O=X', false],
    ['CN=a,OU=b,O=X', 'OU=b,CN=a,O=X', false], // order is one of the two, not any
    ['CN=a+OU=b,O=X', 'CN=a,OU=b,O=X', false], // a multi-valued RDN is not two RDNs
  ])('%s ~ %s → %s', (a, b, expected) => {
    expect(same(a, b)).toBe(expected);
  });

  it('a matcher says no to what it cannot parse, and to anything when empty', () => {
    const m = new SubjectMatcher(['CN=x,O=y']);
    expect(m.has('O=y,CN=x')).toBe(true);
    expect(m.has('not a dn')).toBe(false);
    expect(new SubjectMatcher([]).has('CN=x,O=y')).toBe(false);
  });
});
