/** How the gateway names itself in the messages it writes (from configuration). */
export interface GatewayIdentity {
  /** Land code of this gateway, e.g. '03'. */
  land: string;
  /** DVDV kennung, e.g. 'dbs:030000000001'. */
  kennung: string;
  name: string;
  anschrift: { strasse?: string; hausnummer?: string; postleitzahl: string; wohnort: string };
  /** At least one way to reach the gateway's operators (required in the autor of what it writes). */
  erreichbarkeit: { kanal: string; kennung: string; zusatz?: string }[];
  produkt: string;
  produkthersteller: string;
  produktversion: string;
}
