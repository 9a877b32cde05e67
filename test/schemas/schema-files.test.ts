import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SchemaFileNotFoundError,
  endpointPlaceholder,
  listSchemaFiles,
  normaliseSchemaPath,
  readSchemaFile,
  readSchemaFileForHttp,
  schemaDir,
  wsdlFile,
  xmeldEntryFile,
} from '../../src/xml/schema-files.js';

describe('schema files', () => {
  it('finds the schemas folder of the project', () => {
    expect(schemaDir).toBe(path.resolve(process.cwd(), 'schemas'));
    expect(existsSync(path.join(schemaDir, xmeldEntryFile))).toBe(true);
  });

  it('lists the XSDs of the project', () => {
    expect(listSchemaFiles()).toEqual([
      'gateway.xsd',
      'xmeld-2511a/codes.xsd',
      'xmeld-2511a/datenabruf.xsd',
      'xmeld-2511a/datentypen.xsd',
      'xmeld-2511a/g2g-kopf.xsd',
      'xmeld-2511a/returntosender.xsd',
      'xmeld-2511a/xmeld.xsd',
      'xmeld-2611/codes.xsd',
      'xmeld-2611/datenabruf.xsd',
      'xmeld-2611/datentypen.xsd',
      'xmeld-2611/g2g-kopf.xsd',
      'xmeld-2611/returntosender.xsd',
      'xmeld-2611/xmeld.xsd',
    ]);
  });

  it('reads the WSDL and XSDs', () => {
    expect(readSchemaFile(wsdlFile)).toContain('<wsdl:definitions');
    expect(readSchemaFile('xmeld-2511a/./xmeld.xsd')).toContain('targetNamespace="http://www.osci.de/xmeld2511a"');
  });

  it.each([
    '../package.json',
    'xmeld-2511a/../../package.json',
    '/etc/passwd',
    'xmeld-2511a/..%2f..%2fpackage.json',
    'xmeld-2511a\\..\\..\\x.xsd',
    '..',
    '',
    '.hidden.xsd',
    'xmeld-2511a/xmeld.xsd\0.png',
    'xmeld-2511a/nope.xsd',
    'gateway.xsd.bak',
    'C:/x.xsd',
  ])('refuses %j', (rel) => {
    expect(() => readSchemaFile(rel)).toThrow(SchemaFileNotFoundError);
  });

  it('normalises harmless relative forms', () => {
    expect(normaliseSchemaPath('xmeld-2511a/../gateway.xsd')).toBe('gateway.xsd');
    expect(normaliseSchemaPath('xmeld-2511a//codes.xsd')).toBe('xmeld-2511a/codes.xsd');
  });

  it('no schema file points at the network', () => {
    for (const rel of [...listSchemaFiles(), wsdlFile]) {
      for (const m of readSchemaFile(rel).matchAll(/schemaLocation="([^"]+)"/g)) {
        expect(m[1]).not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
      }
    }
  });
});

describe('schema files as served over HTTP', () => {
  it('rewrites the WSDL imports to ?xsd= references and fills in the endpoint', () => {
    const wsdl = readSchemaFileForHttp(wsdlFile, 'https://gw.example:8443/xmeld');
    expect(wsdl).toContain('schemaLocation="?xsd=xmeld-2511a/xmeld.xsd"');
    expect(wsdl).toContain('schemaLocation="?xsd=gateway.xsd"');
    expect(wsdl).not.toContain(endpointPlaceholder);
    expect(wsdl.match(/location="https:\/\/gw\.example:8443\/xmeld"/g)).toHaveLength(2);
  });

  it('rewrites includes relative to the including file', () => {
    const entry = readSchemaFileForHttp(xmeldEntryFile);
    expect(entry).toContain('schemaLocation="?xsd=xmeld-2511a/datentypen.xsd"');
    expect(entry).toContain('schemaLocation="?xsd=xmeld-2511a/returntosender.xsd"');
    expect(entry).not.toMatch(/schemaLocation="(?!\?xsd=)/);
  });

  it('resolves the rewritten references against the WSDL URL to the same endpoint (RFC 3986)', () => {
    const base = 'http://host:8080/xmeld?wsdl';
    const xsdUrl = new URL('?xsd=xmeld-2511a/xmeld.xsd', base);
    expect(xsdUrl.toString()).toBe('http://host:8080/xmeld?xsd=xmeld-2511a/xmeld.xsd');
    expect(new URL('?xsd=xmeld-2511a/codes.xsd', xsdUrl).toString()).toBe('http://host:8080/xmeld?xsd=xmeld-2511a/codes.xsd');
  });

  it('escapes the endpoint for the attribute', () => {
    expect(readSchemaFileForHttp(wsdlFile, 'http://h/x?a=1&b="2"')).toContain('location="http://h/x?a=1&amp;b=&quot;2&quot;"');
  });

  it('refuses traversal here too', () => {
    expect(() => readSchemaFileForHttp('../package.json')).toThrow(SchemaFileNotFoundError);
  });
});
