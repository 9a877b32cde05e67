/** Fixed values shared by the XMeld releases the gateway speaks (releases.ts has what differs; the wire's namespaces are in xml/namespaces.ts). */

export const LIST_NACHRICHTEN = 'urn:de:xmeld:schluesseltabelle:xmeld.nachrichten';
export const LIST_ERGEBNISSTATUS = 'urn:xoev-de:xmeld:codeliste:datenabruf.ergebnisstatus';
export const LIST_NICHTERSTELLUNG = 'urn:xoev-de:xmeld:codeliste:datenabruf.nichterstellung.grund';
export const LIST_RTS = 'urn:de:xmeld:schluesseltabelle:ruecksendung.einer.nachricht';

/** Root element local names by message number. */
export const ROOT = {
  '1330': 'datenabruf.personensuche.suchanfrage.1330',
  '1331': 'datenabruf.personensuche.antwort.1331',
  '1332': 'datenabruf.freieSuche.suchanfrage.1332',
  '1333': 'datenabruf.freieSuche.antwort.1333',
  '0910': 'administration.returntosender.0910',
} as const;
export type MessageNumber = keyof typeof ROOT;

export function messageNumberOf(localName: string): MessageNumber | undefined {
  for (const [n, root] of Object.entries(ROOT)) if (root === localName) return n as MessageNumber;
  return undefined;
}
