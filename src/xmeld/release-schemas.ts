import type { XmlElement } from 'libxml2-wasm';
import { RELEASES, releaseOfNamespace, type Release } from './releases.js';
import { schemaVerdictOf, type MessageValidator } from '../xml/message-validator.js';
import { XMELD_ENTRY_FILES, schemaDir } from '../xml/schema-files.js';
import { XmeldSchema, type ValidationResult } from '../xml/xsd-validator.js';

/**
 * One compiled schema set per XMeld release, chosen by the message root's namespace: a 26.11
 * message is judged by the 26.11 set only, a 25.11a message by the 25.11a set only.
 */
export class ReleaseSchemas {
  private constructor(private readonly sets: ReadonlyMap<Release, XmeldSchema>) {}

  static load(dir: string = schemaDir): ReleaseSchemas {
    return new ReleaseSchemas(new Map(RELEASES.map((r) => [r, XmeldSchema.load(dir, XMELD_ENTRY_FILES[r])])));
  }

  validate(message: XmlElement): ValidationResult {
    const release = releaseOfNamespace(message.namespaceUri);
    const set = release === undefined ? undefined : this.sets.get(release);
    if (set === undefined) return { ok: false, errors: [{ reason: 'No matching global declaration available for the validation root.' }] };
    return set.validate(message);
  }

  /** The verdicts the pipeline needs (X001/X010/X011), from this schema set. */
  get validator(): MessageValidator {
    return {
      verdict: (el) => {
        const r = this.validate(el);
        return r.ok ? 'valid' : schemaVerdictOf(r.errors);
      },
    };
  }

  dispose(): void {
    for (const s of this.sets.values()) s.dispose();
  }
}
