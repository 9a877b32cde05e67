/**
 * JSON shapes of the DVDV2 REST API v2 as far as the gateway reads them (field names from the
 * published OpenAPI file, dvdv-api.yaml; see docs/dvdv.md). Only what routing and trust need.
 */

/** A certificate as the DVDV publishes it (`content` is base64 DER, `fingerprint` hex SHA-1). */
export interface DvdvCertificate {
  content: string;
  fingerprint?: string;
  validFrom?: string | null;
  validTo?: string | null;
  revocationDate?: string | null;
}

export type ServiceElementType =
  | 'OSCI_INTERMEDIARY' | 'OSCI_ADDRESSEE' | 'CIPHER_CERTIFICATE' | 'SIGNATURE_CERTIFICATE' | 'WEBSERVER' | 'TEXT';

export interface ServiceElementInfo {
  serviceElementId: number;
  providerId: number;
  serviceElementType?: ServiceElementType;
  serviceElementUri?: string;
  cipherCertificate?: DvdvCertificate;
  signatureCertificate?: DvdvCertificate;
}

/** `Service` — answer of findservicedescription. */
export interface DvdvService {
  id: number;
  serviceDescriptionName: string;
  serviceSpecificationType: 'WSDL_OSCI' | 'MANUAL';
  serviceSpecificationUri: string;
  serviceSpecificationDocument?: string;
  organizationNameDe?: string;
  locationStateId?: number;
  serviceElements?: ServiceElementInfo[];
}

/** RFC 7807 problem answer (`application/problem+json`). */
export interface DvdvProblem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
}

export interface VerificationResult {
  verifyCategory: boolean;
}

/** The `request_json` object (and the batch items). Only the fields a function needs are set. */
export interface DvdvRequest {
  organizationKey?: string;
  serviceSpecificationUri?: string;
  fingerPrint?: string;
  category?: string;
}

/** What the gateway takes from a service description: where to send, whose signature to accept. */
export interface DirectoryTarget {
  organizationKey: string;
  endpoint: string;
  signatureCertificates: string[];
}
