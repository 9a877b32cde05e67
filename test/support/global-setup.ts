import { generateTestPki } from '../../src/security/test-pki.js';
import { testPkiDir } from './test-pki.js';

/** Generates the TEST PKI once before any test file runs (files run in parallel forks). */
export default async function setup(): Promise<void> {
  await generateTestPki(testPkiDir());
}
