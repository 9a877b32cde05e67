/** The 16 Länder by their Destatis code (the first two digits of every AGS). */
export const LAENDER = {
  '01': 'Schleswig-Holstein',
  '02': 'Hamburg',
  '03': 'Niedersachsen',
  '04': 'Bremen',
  '05': 'Nordrhein-Westfalen',
  '06': 'Hessen',
  '07': 'Rheinland-Pfalz',
  '08': 'Baden-Württemberg',
  '09': 'Bayern',
  '10': 'Saarland',
  '11': 'Berlin',
  '12': 'Brandenburg',
  '13': 'Mecklenburg-Vorpommern',
  '14': 'Sachsen',
  '15': 'Sachsen-Anhalt',
  '16': 'Thüringen',
} as const;
export type LandCode = keyof typeof LAENDER;
// Sorted: "10"–"16" are integer-like keys, which Object.keys lists before "01"–"09".
export const LAND_CODES = (Object.keys(LAENDER) as LandCode[]).sort();

export function isLandCode(s: string): s is LandCode {
  return Object.hasOwn(LAENDER, s);
}

/** Land of an 8-digit AGS, or undefined when it is not one. */
export function landOfAgs(ags: string): LandCode | undefined {
  if (!/^[0-9]{8}$/.test(ags)) return undefined;
  const land = ags.slice(0, 2);
  return isLandCode(land) ? land : undefined;
}

/** Land of a DVDV kennung of the form `ags:<AGS>`. */
export function landOfKennung(kennung: string): LandCode | undefined {
  return kennung.startsWith('ags:') ? landOfAgs(kennung.slice(4)) : undefined;
}
