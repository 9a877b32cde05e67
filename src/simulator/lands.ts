/**
 * The 16 Länder as the simulator sees them: code, name, the register's own identity and the
 * dialect in which it answers a query for a person with an Auskunftssperre.
 */

import { isLandCode, LAND_CODES, type LandCode } from '../routing/laender.js';

// One LandCode for the whole project (the routing's): the simulator answers for the same Länder.
export { isLandCode, LAND_CODES, type LandCode };


/**
 * How a register says "blocked" (§ 51 BMG). The law wants this indistinguishable from "not
 * found"; real registers differ in how cleanly they achieve that, and the gateway normalizes.
 * - `standard`: ergebnisstatus 03, no person — byte-for-byte the not-found answer.
 * - `vendor-marker`: 03 plus a vendor element in `landesspezifischeErweiterungen`.
 * - `empty-auskunft`: 03 plus one empty `person` element (schema-valid, every child of
 *   type.Personensuche.Abrufdaten is optional, but against the rule "03 → no person").
 */
export type BlockDialect = 'standard' | 'vendor-marker' | 'empty-auskunft';
export const BLOCK_DIALECTS: readonly BlockDialect[] = ['standard', 'vendor-marker', 'empty-auskunft'];

export interface RegisterAddress {
  strasse: string;
  hausnummer: string;
  postleitzahl: string;
  wohnort: string;
}

export interface LandInfo {
  code: LandCode;
  name: string;
  /** 8-digit AGS the register signs its answers as (`ags:<registerAgs>`). */
  registerAgs: string;
  blockDialect: BlockDialect;
  /** The building address in `anschrift.autor` (invented street, real postcode of the capital). */
  address: RegisterAddress;
}

const info = (
  code: LandCode,
  name: string,
  blockDialect: BlockDialect,
  address: RegisterAddress,
): LandInfo => ({ code, name, registerAgs: `${code}000000`, blockDialect, address });

const addr = (postleitzahl: string, wohnort: string, hausnummer = '1'): RegisterAddress => ({
  strasse: 'Registerplatz',
  hausnummer,
  postleitzahl,
  wohnort,
});

/**
 * Defaults per Land. Vendor markers in 05 and 09 (the BayBIS sample declares a vendor namespace
 * on its answers), the empty-person variant in 08 and 14, the plain neutral answer elsewhere —
 * including 03, whose register doubles as the mirror backend.
 */
export const LANDS: Readonly<Record<LandCode, LandInfo>> = {
  '01': info('01', 'Schleswig-Holstein', 'standard', addr('24103', 'Kiel')),
  '02': info('02', 'Hamburg', 'standard', addr('20095', 'Hamburg')),
  '03': info('03', 'Niedersachsen', 'standard', addr('30159', 'Hannover')),
  '04': info('04', 'Bremen', 'standard', addr('28195', 'Bremen')),
  '05': info('05', 'Nordrhein-Westfalen', 'vendor-marker', addr('50667', 'Köln')),
  '06': info('06', 'Hessen', 'standard', addr('60311', 'Frankfurt am Main')),
  '07': info('07', 'Rheinland-Pfalz', 'standard', addr('55116', 'Mainz')),
  '08': info('08', 'Baden-Württemberg', 'empty-auskunft', addr('70173', 'Stuttgart')),
  '09': info('09', 'Bayern', 'vendor-marker', addr('80331', 'München')),
  '10': info('10', 'Saarland', 'standard', addr('66111', 'Saarbrücken')),
  '11': info('11', 'Berlin', 'standard', addr('10117', 'Berlin')),
  '12': info('12', 'Brandenburg', 'standard', addr('14467', 'Potsdam')),
  '13': info('13', 'Mecklenburg-Vorpommern', 'standard', addr('18055', 'Rostock')),
  '14': info('14', 'Sachsen', 'empty-auskunft', addr('01067', 'Dresden')),
  '15': info('15', 'Sachsen-Anhalt', 'standard', addr('39104', 'Magdeburg')),
  '16': info('16', 'Thüringen', 'standard', addr('99084', 'Erfurt')),
};

/** Land of an AGS (its first two digits), or undefined when they are no Land code. */
export function landOfAgsPrefix(ags: string): LandCode | undefined {
  const prefix = ags.slice(0, 2);
  return isLandCode(prefix) ? prefix : undefined;
}
