/**
 * The SOAPAction of each operation, as the gateway's WSDL names them (schemas/xmeld-gateway.wsdl):
 * every hop that sends a query says which operation it calls — SOAP 1.1 in the SOAPAction
 * header, SOAP 1.2 in the content type's `action` parameter.
 */
export const SOAP_ACTION = {
  '1330': 'urn:xmeld-gateway:1:personensuche',
  '1332': 'urn:xmeld-gateway:1:freieSuche',
} as const;

export type QueryNumber = keyof typeof SOAP_ACTION;

/** The action for a message by its root element's local name (1330 unless it is a 1332). */
export function soapActionOfRoot(localName: string): string {
  return localName.startsWith('datenabruf.freieSuche.') ? SOAP_ACTION['1332'] : SOAP_ACTION['1330'];
}
