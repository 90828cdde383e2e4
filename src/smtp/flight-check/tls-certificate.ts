/**
 * What the TLS step reports about the server's certificate, and whether delivery would
 * accept it: the chain must verify (dates included) and the certificate must name the
 * configured host, unless the owner allowed self-signed certificates, which turns every
 * certificate check off in delivery.
 */
import tls from 'node:tls';
import type { CertificateSummary } from './types.ts';

export interface CertificateVerdict {
  summary: CertificateSummary | undefined;
  /** Node or OpenSSL code of the first problem (chain first, then host name), if any. */
  problem: string | undefined;
}

const MAX_NAMES = 20;

/** Certificate text is the server's: printable, one line, short. */
function clean(value: unknown): string | undefined {
  const text = Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : undefined;
  if (text === undefined) return undefined;
  const printable = text.replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return printable.length > 120 ? `${printable.slice(0, 119)}…` : printable;
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function altNames(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address|email|URI):/i, ''))
    .map((entry) => clean(entry) ?? '')
    .filter((entry) => entry !== '')
    .slice(0, MAX_NAMES);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return undefined;
}

export function verifyCertificate(socket: tls.TLSSocket, host: string): CertificateVerdict {
  const cert = socket.getPeerCertificate(false);
  if (!cert || Object.keys(cert).length === 0) return { summary: undefined, problem: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' };
  const identityError = tls.checkServerIdentity(host, cert);
  const summary: CertificateSummary = {
    subject: clean(cert.subject?.CN) ?? clean(cert.subject?.O),
    subjectAltNames: altNames(cert.subjectaltname),
    issuer: clean(cert.issuer?.CN) ?? clean(cert.issuer?.O),
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    hostnameMatch: identityError === undefined,
    trusted: socket.authorized,
    fingerprint256: cert.fingerprint256,
  };
  const chainProblem = socket.authorized ? undefined : (errorCode(socket.authorizationError) ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  const problem = chainProblem ?? (identityError ? (errorCode(identityError) ?? 'ERR_TLS_CERT_ALTNAME_INVALID') : undefined);
  return { summary, problem };
}
