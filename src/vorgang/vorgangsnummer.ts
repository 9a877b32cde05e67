import { randomBytes } from 'node:crypto';

/**
 * Vorgangsnummern (PortalVO § 2): unique, ordered by time, attributable to the requesting
 * authority. Form: `<Land>-<UTC yyyymmddhhmmssSSS>-<instance><counter>-<kennung of the autor>`.
 * The instance part keeps numbers unique across gateway instances sharing one protocol store;
 * the counter keeps them unique and ordered within one millisecond.
 */
export class VorgangsnummerGenerator {
  private readonly instance = randomBytes(3).toString('hex');
  private lastMs = 0;
  private counter = 0;

  constructor(private readonly land: string, private readonly clock: () => Date = () => new Date()) {}

  next(autorKennung: string): string {
    let ms = this.clock().getTime();
    if (ms <= this.lastMs) {
      ms = this.lastMs; // a clock step back must not reorder numbers
      this.counter++;
    } else {
      this.lastMs = ms;
      this.counter = 0;
    }
    const stamp = new Date(ms).toISOString().replace(/[-:T.Z]/g, '');
    const counter = this.counter.toString(36).padStart(4, '0');
    return `${this.land}-${stamp}-${this.instance}${counter}-${sanitize(autorKennung)}`;
  }
}

/** Keeps the kennung readable but free of anything that would need escaping anywhere. */
function sanitize(kennung: string): string {
  const s = kennung.replace(/[^A-Za-z0-9:._-]/g, '_').slice(0, 64);
  return s === '' ? 'unbekannt' : s;
}
