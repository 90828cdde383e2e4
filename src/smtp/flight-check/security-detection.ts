/**
 * Security auto-detection: given only a host, tries the usual submission ports (465, 587,
 * 2525, 25; those the operator allows) in parallel, each both in plain text (then STARTTLS
 * when offered) and with implicit TLS, and says what each port offers and which setting to
 * use. Every connection goes through the address guard first, like the flight check's.
 * Nothing is authenticated and no message is sent.
 */
import { AppError } from '../../errors.ts';
import { resolveSmtpTarget } from '../address-guard.ts';
import type { GuardOptions, SmtpTarget } from '../address-guard.ts';
import type { StepExplanationId } from './check-explanations.ts';
import { fromNodemailerError } from '../failure.ts';
import { classify } from '../reply-classification.ts';
import { sanitizeReply } from '../reply-sanitize.ts';
import { offersStarttls, parseCapabilities } from './capabilities.ts';
import { connectionPolicy, defaultClientName } from './session-policy.ts';
import { SessionError, SmtpSession, connectTcp } from './smtp-session.ts';
import type { Reply } from './smtp-session.ts';
import { verifyCertificate } from './tls-certificate.ts';
import type { CertificateSummary, Security } from './types.ts';

export const DETECTION_PORTS: readonly number[] = [465, 587, 2525, 25];

export interface SecurityDetectionDeps {
  guard: GuardOptions;
  ca?: string[];
  /** Each probe's timeouts; short, as a silent port should not hold the answer. Default 5 s. */
  timeouts?: { connection?: number; greeting?: number; socket?: number };
  /** Ports to try, in order of preference; default 465, 587, 2525, 25. */
  ports?: readonly number[];
  clientName?: string;
}

export interface PortProbe {
  port: number;
  /** false when the port is outside the operator's list: it was not tried. */
  allowed: boolean;
  /** A TCP connection opened, in either mode. */
  reachable: boolean;
  /** The greeting (sanitized), from whichever mode got one. */
  greeting?: string;
  /** STARTTLS offered on the plain-text connection. */
  starttls: boolean;
  /** The STARTTLS upgrade succeeded. */
  starttlsWorks: boolean;
  /** A TLS handshake from the first byte succeeded and the server greeted over it. */
  implicitTls: boolean;
  certificate?: CertificateSummary;
  /** AUTH mechanisms offered once encrypted (or in plain text when no TLS works). */
  authMechanisms: string[];
  /** The server offers AUTH before any encryption (passwords could travel in clear). */
  authInPlainText: boolean;
  /** The setting that works on this port, if any: 'none' only when the server has no TLS at all. */
  recommendation: Security | null;
  /** Why this port is unusable, when it is. */
  problem?: StepExplanationId;
}

export interface SecurityDetection {
  host: string;
  /** The address the guard approved. */
  address?: string;
  ports: PortProbe[];
  /** The best working setting: TLS with a trusted certificate first, then AUTH offered, then port order. */
  recommended: { port: number; security: Security } | null;
  /** The host itself was refused (syntax, DNS, address guard): nothing was tried. */
  refused?: { code: string; message: string };
}

const DETECTION_TIMEOUT_MS = 5000;

interface ModeResult {
  reachable: boolean;
  greeting?: string;
  /** SMTP spoken over this mode (a 220 greeting and a successful EHLO). */
  smtp: boolean;
  starttls?: boolean;
  secured: boolean;
  certificate?: CertificateSummary;
  certificateProblem?: StepExplanationId;
  plainMechanisms: string[];
  securedMechanisms: string[];
  problem?: StepExplanationId;
}

function problemOf(error: unknown, stage: 'connect' | 'greeting' | 'tls' | 'ehlo'): StepExplanationId {
  const network = error instanceof SessionError ? error.network : fromNodemailerError(error).network;
  return classify({ stage, ...(network ? { network } : {}) }).explanation;
}

class PortProber {
  private readonly timeouts: { connection: number; greeting: number; socket: number };
  private readonly clientName: string;

  constructor(
    private readonly host: string,
    private readonly deps: SecurityDetectionDeps,
  ) {
    this.timeouts = { connection: DETECTION_TIMEOUT_MS, greeting: DETECTION_TIMEOUT_MS, socket: DETECTION_TIMEOUT_MS, ...deps.timeouts };
    this.clientName = deps.clientName ?? defaultClientName();
  }

  async probe(port: number): Promise<PortProbe> {
    // A port that greets over implicit TLS never also greets in plain text: the plain-text
    // probe, which would wait out its greeting timeout, is cut short.
    const implicitWorks = new AbortController();
    const [plain, implicit] = await Promise.all([
      this.plain(port, implicitWorks.signal),
      this.implicit(port).then((result) => {
        if (result.smtp) implicitWorks.abort();
        return result;
      }),
    ]);
    const certificate = implicit.certificate ?? plain.certificate;
    const recommendation: Security | null = implicit.smtp ? 'tls' : plain.secured ? 'starttls' : plain.smtp ? 'none' : null;
    const authMechanisms = implicit.smtp
      ? implicit.securedMechanisms
      : plain.secured
        ? plain.securedMechanisms
        : plain.plainMechanisms;
    const probe: PortProbe = {
      port,
      allowed: true,
      reachable: plain.reachable || implicit.reachable,
      starttls: plain.starttls ?? false,
      starttlsWorks: plain.secured,
      implicitTls: implicit.smtp,
      authMechanisms,
      authInPlainText: plain.plainMechanisms.length > 0,
      recommendation,
    };
    const greeting = implicit.greeting ?? plain.greeting;
    if (greeting) probe.greeting = greeting;
    if (certificate) probe.certificate = certificate;
    if (recommendation === null) {
      const problem = plain.problem ?? implicit.problem;
      if (problem) probe.problem = problem;
    } else if (recommendation !== 'none') {
      const problem = implicit.smtp ? implicit.certificateProblem : plain.certificateProblem;
      if (problem) probe.problem = problem;
    }
    return probe;
  }

  /** Plain text, then STARTTLS when offered. */
  private async plain(port: number, cancelled: AbortSignal): Promise<ModeResult> {
    const result: ModeResult = { reachable: false, smtp: false, secured: false, plainMechanisms: [], securedMechanisms: [] };
    const session = await this.open(port, result);
    if (!session) return result;
    const cancel = () => session.destroy();
    if (cancelled.aborted) cancel();
    cancelled.addEventListener('abort', cancel, { once: true });
    try {
      const greeting = await this.greet(session, result);
      if (!greeting) return result;
      const ehlo = await this.ehlo(session, result);
      if (!ehlo) return result;
      result.smtp = true;
      result.starttls = offersStarttls(ehlo.text);
      result.plainMechanisms = parseCapabilities(ehlo.text, false).authMechanisms;
      if (!result.starttls) return result;
      const reply = await session.command('STARTTLS', this.timeouts.socket);
      if (reply.code !== 220) return result;
      const target = await this.target(port);
      const secure = await session.startTls(this.tlsOptions(target), this.timeouts.greeting);
      this.certificate(secure, target.host, result);
      const secured = await this.ehlo(session, result);
      if (!secured) return result;
      result.secured = true;
      result.securedMechanisms = parseCapabilities(secured.text, true).authMechanisms;
      return result;
    } catch (error) {
      result.problem ??= problemOf(error, 'tls');
      return result;
    } finally {
      cancelled.removeEventListener('abort', cancel);
      session.quit();
    }
  }

  /** TLS from the first byte. */
  private async implicit(port: number): Promise<ModeResult> {
    const result: ModeResult = { reachable: false, smtp: false, secured: false, plainMechanisms: [], securedMechanisms: [] };
    const session = await this.open(port, result);
    if (!session) return result;
    try {
      const target = await this.target(port);
      const secure = await session.startTls(this.tlsOptions(target), this.timeouts.greeting);
      result.secured = true;
      this.certificate(secure, target.host, result);
      const greeting = await this.greet(session, result);
      if (!greeting) return result;
      const ehlo = await this.ehlo(session, result);
      if (!ehlo) return result;
      result.smtp = true;
      result.securedMechanisms = parseCapabilities(ehlo.text, false).authMechanisms;
      return result;
    } catch (error) {
      result.problem ??= problemOf(error, 'tls');
      return result;
    } finally {
      session.quit();
    }
  }

  private tlsOptions(target: SmtpTarget) {
    return connectionPolicy({ host: target.host, port: target.port, security: 'tls' }, this.deps).tls;
  }

  private target(port: number): Promise<SmtpTarget> {
    return resolveSmtpTarget(this.host, port, this.deps.guard);
  }

  /** The guard runs before every connection, as for delivery. */
  private async open(port: number, result: ModeResult): Promise<SmtpSession | undefined> {
    try {
      const target = await this.target(port);
      const socket = await connectTcp(target.address, port, target.family, this.timeouts.connection);
      result.reachable = true;
      return new SmtpSession(socket);
    } catch (error) {
      result.problem = problemOf(error, 'connect');
      return undefined;
    }
  }

  private async greet(session: SmtpSession, result: ModeResult): Promise<Reply | undefined> {
    try {
      const reply = await session.read(this.timeouts.greeting, 'GREETING_TIMEOUT');
      const text = sanitizeReply(reply.text);
      if (text) result.greeting = text;
      if (reply.code === 220) return reply;
      result.problem = classify({ stage: 'greeting', code: reply.code }).explanation;
    } catch (error) {
      result.problem = problemOf(error, 'greeting');
    }
    return undefined;
  }

  private async ehlo(session: SmtpSession, result: ModeResult): Promise<Reply | undefined> {
    const reply = await session.command(`EHLO ${this.clientName}`, this.timeouts.socket);
    if (reply.code >= 200 && reply.code < 300) return reply;
    result.problem = classify({ stage: 'ehlo', code: reply.code }).explanation;
    return undefined;
  }

  private certificate(socket: Parameters<typeof verifyCertificate>[0], host: string, result: ModeResult): void {
    const { summary, problem } = verifyCertificate(socket, host);
    if (summary) result.certificate = summary;
    if (problem) {
      const network = fromNodemailerError({ code: problem }, { stage: 'tls' }).network ?? 'CERT_INVALID';
      result.certificateProblem = classify({ stage: 'tls', network }).explanation;
    }
  }
}

function rank(probe: PortProbe, order: readonly number[]): number[] {
  const trusted = probe.certificate ? Number(probe.certificate.trusted && probe.certificate.hostnameMatch) : 0;
  return [-trusted, -Number(probe.authMechanisms.length > 0), order.indexOf(probe.port)];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export async function detectSecurity(host: string, deps: SecurityDetectionDeps): Promise<SecurityDetection> {
  const order = deps.ports ?? DETECTION_PORTS;
  const allowed = order.filter((port) => deps.guard.allowedPorts.includes(port));
  const notAllowed = (port: number): PortProbe => ({
    port,
    allowed: false,
    reachable: false,
    starttls: false,
    starttlsWorks: false,
    implicitTls: false,
    authMechanisms: [],
    authInPlainText: false,
    recommendation: null,
    problem: 'port-not-allowed',
  });
  const detection: SecurityDetection = { host, ports: [], recommended: null };
  const first = allowed[0];
  if (first === undefined) {
    detection.ports = order.map(notAllowed);
    return detection;
  }
  try {
    const target = await resolveSmtpTarget(host, first, deps.guard);
    detection.host = target.host;
    detection.address = target.address;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    detection.refused = { code: error.code, message: error.message };
    detection.ports = order.map((port) => ({ ...notAllowed(port), allowed: allowed.includes(port) }));
    for (const probe of detection.ports) delete probe.problem;
    return detection;
  }
  const prober = new PortProber(host, deps);
  detection.ports = await Promise.all(order.map((port) => (allowed.includes(port) ? prober.probe(port) : notAllowed(port))));
  const candidates = detection.ports.filter((probe) => probe.recommendation === 'tls' || probe.recommendation === 'starttls');
  const best = candidates.sort((a, b) => compare(rank(a, order), rank(b, order)))[0];
  if (best?.recommendation) detection.recommended = { port: best.port, security: best.recommendation };
  return detection;
}
