import type { XmlElement } from 'libxml2-wasm';
import type { MessageNumber } from '../namespaces.js';
import { RELEASE_FACTS, type Release } from '../releases.js';
import { ElementWriter } from './element-writer.js';
import { directionOf, ruleAt, type RuleContext } from './release-rules.js';

export interface TranslatedXml {
  /** Self-contained XML of the element in the target release. */
  xml: string;
  /** Ids of the rules that were applied (release-rules.ts), for the protocol; no values. */
  applied: string[];
  /** Elements left out because the target release has no place for them (local names). */
  dropped: string[];
}

/**
 * A whole XMeld message (`path` '') or one element of it (say a `person` of an answer, at
 * `antwortSuchanfrage/auskunft/person`) in another release, by the rules of release-rules.ts.
 * Throws BusinessRejection (rueckweisung 17) for a query the target release cannot ask.
 */
export function translateRelease(
  el: XmlElement,
  t: { message: MessageNumber; from: Release; to: Release; path?: string },
): TranslatedXml {
  if (t.from === t.to) throw new RangeError('translation within one release');
  const w = new ElementWriter(RELEASE_FACTS[t.from].namespace, RELEASE_FACTS[t.to].namespace);
  const applied = new Set<string>();
  const dropped = new Set<string>();
  const direction = directionOf(t.from, t.to);

  const visit = (node: XmlElement, path: string, top: boolean): void => {
    const children = (child: XmlElement): void => visit(child, path === '' ? child.name : `${path}/${child.name}`, false);
    const rule = ruleAt(t.message, direction, path);
    if (rule === undefined) {
      w.copy(node, { top, children });
      return;
    }
    const ctx: RuleContext = { message: t.message, from: t.from, to: t.to, dropped, walk: children };
    rule.apply(node, w, ctx);
    applied.add(rule.id);
  };
  visit(el, t.path ?? '', true);
  return { xml: w.toString(), applied: [...applied].sort(), dropped: [...dropped].sort() };
}
