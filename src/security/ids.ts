import { randomBytes } from 'node:crypto';

/**
 * A fresh wsu:Id value: a letter-led NCName with 96 random bits, so ids never collide with
 * each other or with ids an attacker could have predicted.
 */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}
