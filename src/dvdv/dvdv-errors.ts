import { TechnicalFailureError } from '../errors.js';

/**
 * Why a directory look-up failed. `notFound` is an answer (cached negatively), the others are
 * the directory's own trouble (never cached; a stale entry may be served instead).
 */
export type DvdvFailure = 'notFound' | 'unreachable' | 'timeout' | 'badAnswer' | 'unauthorized';

export class DvdvError extends Error {
  override readonly name = 'DvdvError';
  constructor(
    readonly failure: DvdvFailure,
    /** Fixed text, never request content. */
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`DVDV ${failure}: ${detail}`, options);
  }

  /** The caller's view: rueckweisung 16 naming the directory; the DVDV cause stays attached for logs. */
  toTechnicalFailure(): TechnicalFailureError {
    return new TechnicalFailureError('directory', { cause: this });
  }
}
