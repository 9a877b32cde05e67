/**
 * The XMeld releases the gateway speaks, and what tells them apart on the wire
 * (`../shared/xmeld/26.11/DIFF.md` §1, §4). A message's release is read from its root
 * namespace and checked against its fixed `version` attribute.
 */
export const RELEASES = ['25.11a', '26.11'] as const;
export type Release = (typeof RELEASES)[number];

export interface ReleaseFacts {
  /** Target namespace of every XMeld schema file of the release. */
  namespace: string;
  /** Fixed value of the root's `version` and of `nachrichtentyp/@listVersionID`. */
  version: Release;
  /** Fixed `listVersionID` of the Anforderungselement code lists (Personensuche and freie Suche). */
  anforderungselementListVersion: string;
  /** Anforderungselement codes this release added, by query: the older release cannot carry them. */
  newAnforderungselemente: { '1330': readonly string[]; '1332': readonly string[] };
}

export const RELEASE_FACTS: Readonly<Record<Release, ReleaseFacts>> = {
  '25.11a': {
    namespace: 'http://www.osci.de/xmeld2511a',
    version: '25.11a',
    anforderungselementListVersion: '2',
    newAnforderungselemente: { '1330': [], '1332': [] },
  },
  '26.11': {
    namespace: 'http://www.osci.de/xmeld2611',
    version: '26.11',
    anforderungselementListVersion: '3',
    // 186, 187: Geschlechtseintrag vor Änderung nach § 2 SBGG (DSMeld 0702) and its Nachweisdaten;
    // 47: the same for the freie Suche.
    newAnforderungselemente: { '1330': ['186', '187'], '1332': ['47'] },
  },
};

export function releaseOfNamespace(namespace: string): Release | undefined {
  return RELEASES.find((r) => RELEASE_FACTS[r].namespace === namespace);
}

export function isRelease(s: unknown): s is Release {
  return typeof s === 'string' && (RELEASES as readonly string[]).includes(s);
}

/** 26.11: whether a 1332's search by sex counts only the current entry (code list v1). */
export const LIST_AKTUALITAET_GESCHLECHTSEINTRAG = 'urn:xoev-de:xmeld:codeliste:freie.suche.aktualitaet.geschlechtseintrag';
export const AKTUALITAET_UNBEKANNT = '01';
export const AKTUALITAET_AKTUELL = '02';
