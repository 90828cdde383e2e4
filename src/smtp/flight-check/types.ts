/**
 * Flight check — the words of the check and the shape of its report.
 *
 * step          One stage of a real SMTP session, checked and timed on its own: `dns`
 *               (host syntax, resolution and the address guard), `connect` (TCP), `greeting`
 *               (the server's 220 banner), `tls` (implicit TLS or STARTTLS, certificate
 *               included), `ehlo` (capabilities), `auth`, `sender` (MAIL FROM), `recipient`
 *               (RCPT TO) and `test-email` (a real message through the same session).
 * status        ok: the step worked. warn: it worked, but something will bite later or
 *               weakens security (an unrelated greeting host, an unverified certificate,
 *               STARTTLS offered but unused). fail: delivery cannot work; every later step is
 *               then `skipped`, as is a step that does not apply (TLS with security none).
 * explanation   For a warn or a fail: the catalog entry (title, cause, numbered fix steps)
 *               in the owner's language, specific to the preset when known.
 * report        Every step in session order, with the settings that were checked (never the
 *               password). `passed(report)` is true when no step failed.
 */
import type { Clock } from '../../clock.ts';
import type { Locale, PresetId } from '../../glossary.ts';
import type { GuardOptions } from '../address-guard.ts';
import type { SmtpAuthenticator } from '../authenticator.ts';
import type { StepExplanation } from './check-explanations.ts';

export type Security = 'tls' | 'starttls' | 'none';

export type StepId = 'dns' | 'connect' | 'greeting' | 'tls' | 'ehlo' | 'auth' | 'sender' | 'recipient' | 'test-email';

export type StepStatus = 'ok' | 'warn' | 'fail' | 'skipped';

/**
 * full      every step of a real delivery, up to RCPT TO (and the test email when asked).
 * sign-in   stops once signed in (dns, connect, greeting, tls, ehlo, auth): relay
 *           verification and the probes of a failing relay; no MAIL FROM is sent.
 */
export type CheckMode = 'full' | 'sign-in';

export interface FlightCheckInput {
  host: string;
  port: number;
  security: Security;
  username?: string;
  /** Used for AUTH only; never copied into the report, a log line or an error. */
  password?: string;
  /** Signs in instead of username and password (another method, e.g. XOAUTH2); see smtp/authenticator.ts. */
  authenticator?: SmtpAuthenticator;
  /** When the application's secret expires (OAuth2): the auth step warns within 30 days. */
  secretExpiresAt?: number;
  /** The configured sender, tried with MAIL FROM (send-as refusals show here). */
  fromEmail: string;
  /** RCPT TO and test email recipient; defaults to fromEmail. */
  toEmail?: string;
  /** Sends a short bilingual test message through the same session once RCPT passed. */
  sendTestEmail?: boolean;
  /** Preset id (gmail, microsoft-365…) for provider-specific explanations. */
  preset?: PresetId;
  /** Accept a certificate that does not verify, as delivery does when the owner allows it. */
  allowSelfSigned?: boolean;
  locale: Locale;
  /** `full` by default. */
  mode?: CheckMode;
}

/** Timeouts in milliseconds; the defaults are delivery's (see session-policy.ts). */
export interface FlightCheckTimeouts {
  /** From the start of connecting to the end of the STARTTLS upgrade (nodemailer's connectionTimeout). */
  connection?: number;
  /** Waiting for the greeting or a TLS handshake, within the connection budget. */
  greeting?: number;
  /** Waiting for the reply to any later command (nodemailer's socketTimeout). */
  socket?: number;
}

export interface FlightCheckDeps {
  guard: GuardOptions;
  clock?: Clock;
  /** Extra trusted certificate authorities (PEM), as delivery's `ca`. */
  ca?: string[];
  timeouts?: FlightCheckTimeouts;
  /** Called as each step completes (skipped steps included), for live progress. */
  onStep?: (step: FlightCheckStep) => void;
  /**
   * Holds the answer of a failed network step until its reported (rounded) duration has
   * really elapsed, so that response times do not tell a refused port from a filtered one.
   * The HTTP API turns it on; a terminal does not need it.
   */
  padFailureTiming?: boolean;
  /** Name sent with EHLO; defaults to the one nodemailer sends for delivery. */
  clientName?: string;
  /** Date and Message-ID domain of the test email (tests pin them). */
  messageIdDomain?: string;
  /**
   * The caller's overall deadline: once aborted, the connection is destroyed and the step
   * under way fails with the explanation `relay-timeout` (later steps are skipped).
   */
  signal?: AbortSignal;
}

export interface CertificateSummary {
  subject: string | undefined;
  subjectAltNames: string[];
  issuer: string | undefined;
  validFrom: string | undefined;
  validTo: string | undefined;
  /** The certificate names the configured host. */
  hostnameMatch: boolean;
  /** The chain verifies up to a trusted authority and the dates are valid. */
  trusted: boolean;
  fingerprint256: string | undefined;
}

export interface Capabilities {
  /** Announced maximum message size in bytes; null when SIZE has no value or is absent. */
  size: number | null;
  pipelining: boolean;
  chunking: boolean;
  smtputf8: boolean;
  eightBitMime: boolean;
  authMechanisms: string[];
  /** STARTTLS was offered on the plain-text connection. */
  starttls: boolean;
}

export interface StepData {
  host?: string;
  address?: string;
  family?: 4 | 6;
  port?: number;
  /** The server's reply to this step, sanitized (never a non-SMTP banner). */
  reply?: string;
  greetingHost?: string;
  tlsVersion?: string;
  cipher?: string;
  certificate?: CertificateSummary;
  capabilities?: Capabilities;
  authMechanism?: string;
  /** OAuth2 sign-in: how the access token was obtained (never the token). */
  token?: { provider: 'microsoft' | 'google'; expiresInMinutes: number };
  sender?: string;
  recipient?: string;
  messageId?: string;
}

export interface FlightCheckStep {
  id: StepId;
  status: StepStatus;
  durationMs: number;
  /** Human, localized. */
  detail: string;
  data?: StepData;
  explanation?: StepExplanation;
}

export interface FlightCheckReport {
  /** What was checked (never the password). */
  settings: {
    host: string;
    port: number;
    security: Security;
    username?: string;
    fromEmail: string;
    toEmail: string;
    preset?: PresetId;
    allowSelfSigned: boolean;
  };
  locale: Locale;
  mode: CheckMode;
  /** No step failed (warnings do not count): the settings work end to end. */
  passed: boolean;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  steps: FlightCheckStep[];
  /** Present when a test email was requested. */
  testEmail?: { to: string; messageId: string; accepted: boolean; reply?: string };
}
