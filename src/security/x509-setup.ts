/**
 * One place that wires the X.509 libraries to Node's WebCrypto: @peculiar/x509 needs the
 * Reflect polyfill and a crypto provider, pkijs a crypto engine.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as pkijs from 'pkijs';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] }));

export { x509, pkijs };
