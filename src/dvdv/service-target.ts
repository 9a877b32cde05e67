import type { DirectoryTarget, DvdvService } from './dvdv-types.js';

/**
 * Pure: what a service description tells the gateway. The endpoint is the URI of the addressee
 * element (OSCI_ADDRESSEE), else of a WEBSERVER element; the accepted signer certificates are
 * those of SIGNATURE_CERTIFICATE elements that are not revoked.
 */
export function targetFromService(organizationKey: string, service: DvdvService): DirectoryTarget | undefined {
  const elements = service.serviceElements ?? [];
  const endpoint =
    elements.find((e) => e.serviceElementType === 'OSCI_ADDRESSEE' && e.serviceElementUri)?.serviceElementUri ??
    elements.find((e) => e.serviceElementType === 'WEBSERVER' && e.serviceElementUri)?.serviceElementUri;
  if (!endpoint) return undefined;
  const signatureCertificates = elements
    .map((e) => e.signatureCertificate)
    .filter((c): c is NonNullable<typeof c> => c !== undefined && !c.revocationDate && c.content.length > 0)
    .map((c) => c.content);
  return { organizationKey, endpoint, signatureCertificates };
}

/**
 * Service specification URI of the XMeld Datenabruf service for a message kind and release,
 * following the pattern seen in zustellix (`http://www.osci.de/xmeld<ver>/xmeld<ver>Personensuche.wsdl`;
 * not verified against an official DVDV listing — configurable).
 */
export function serviceUriFor(kind: 'personensuche' | 'freieSuche', release: string): string {
  const ver = release.replace('.', '');
  const suffix = kind === 'personensuche' ? 'Personensuche' : 'FreieSuche';
  return `http://www.osci.de/xmeld${ver}/xmeld${ver}${suffix}.wsdl`;
}
