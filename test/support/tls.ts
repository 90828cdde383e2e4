// PEM contents of the committed test certificates (see certs/README.md), for SMTP fixtures
// to serve and for clients to trust. Every leaf except `selfsigned` is issued by TEST_CA.
import { readFileSync } from 'node:fs';

function pem(file: string): string {
  return readFileSync(new URL(`./certs/${file}`, import.meta.url), 'utf8');
}

export type TestCertName = 'relay' | 'expired' | 'wronghost' | 'selfsigned' | 'providers';

export interface TestCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (P-256). */
  key: string;
}

/** The "Relais Test CA" certificate: pass it as `ca` to a client that should verify fixtures. */
export const TEST_CA: string = pem('ca.pem');

/**
 * relay: valid for localhost, relay.test, *.relay.test, mail.relay.test, 127.0.0.1-30 and ::1.
 * expired: same names, valid only during 2020.
 * wronghost: valid, but only for other.example.
 * selfsigned: relay.test and the loopback addresses, but not issued by TEST_CA.
 * providers: smtp.office365.com and smtp.gmail.com (presets with a fixed host, reached through a test resolver).
 */
export const TEST_CERTS: Readonly<Record<TestCertName, TestCertificate>> = Object.freeze({
  relay: { cert: pem('relay.pem'), key: pem('relay-key.pem') },
  expired: { cert: pem('expired.pem'), key: pem('expired-key.pem') },
  wronghost: { cert: pem('wronghost.pem'), key: pem('wronghost-key.pem') },
  selfsigned: { cert: pem('selfsigned.pem'), key: pem('selfsigned-key.pem') },
  providers: { cert: pem('providers.pem'), key: pem('providers-key.pem') },
});
