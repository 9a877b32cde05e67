/** Public API of the WS-Security layer (contract §4). */
export { signEnvelope, signEnvelopeDetailed, type SignOptions, type SignResult } from './wss-sign.js';
export { verifyEnvelope, type VerifiedEnvelope, type VerifyPolicy } from './wss-verify.js';
export { verifyAndTrust, type TrustedEnvelope, type VerifyAndTrustOptions } from './verify-and-trust.js';
export { TrustStore, checkSignerTrust, type PartyTrust, type TrustResult } from './trust.js';
export { InMemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
export { prepareSigner, type SignerIdentity, type PreparedSigner } from './signer.js';
export { verifyXmlSignature, type XmlSignatureOptions, type XmlSignatureResult } from './xmldsig-verify.js';
export { SignatureCheckError, type SignatureFailure } from './xmldsig-core.js';
export { certificateInfo, type CertificateInfo } from './cert-info.js';
