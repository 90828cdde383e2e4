/**
 * The flight check's session: each step of a real delivery, in order, over one connection
 * opened the way delivery opens it (guard-approved address, TLS checked against the host
 * name, delivery's timeouts). The first failing step ends the session; the rest are
 * reported as skipped. run.ts starts it and writes the report.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { systemClock } from '../../clock.ts';
import { AppError } from '../../errors.ts';
import { resolveSmtpTarget } from '../address-guard.ts';
import type { SmtpTarget } from '../address-guard.ts';
import { fromNodemailerError } from '../failure.ts';
import type { NetworkFailure } from '../failure.ts';
import { sanitizeReply } from '../reply-sanitize.ts';
import { passwordAuthenticator } from '../authenticator.ts';
import { isOAuthTokenError } from '../oauth/token-provider.ts';
import { offersStarttls, parseCapabilities } from './capabilities.ts';
import type { StepExplanationId } from './check-explanations.ts';
import { greetingHostName, greetingHostRelated, greetingMasked, registrableDomain } from './greeting-host.ts';
import type { CertificateProblem } from './messages.ts';
import type { StepRecorder } from './recorder.ts';
import { connectionPolicy, defaultClientName } from './session-policy.ts';
import { SmtpSession, connectTcp } from './smtp-session.ts';
import type { Reply } from './smtp-session.ts';
import { StepIo, isSuccess, networkOf, replyData, replyFailure, shown } from './step-io.ts';
import type { Started } from './step-io.ts';
import { verifyCertificate } from './tls-certificate.ts';
import { checkEnvelope, finishTransaction } from './transaction.ts';
import { recordSignIn } from './sign-in-result.ts';
import type { Capabilities, FlightCheckDeps, FlightCheckInput, FlightCheckReport, FlightCheckTimeouts, StepData, StepId } from './types.ts';

/** How long a connection that never greeted gets to prove it expects implicit TLS. */
const IMPLICIT_TLS_PROBE_MS = 3000;

export class CheckSession {
  private session: SmtpSession | undefined;
  private io: StepIo | undefined;
  private target!: SmtpTarget;
  private deadline = 0;
  private starttlsOffered = false;
  private capabilities: Capabilities | undefined;
  private readonly timeouts: Required<FlightCheckTimeouts>;
  private readonly clientName: string;
  /** The step under way, which an abort fails. */
  private current: { id: StepId; started: Started };
  readonly toEmail: string;
  testEmail: FlightCheckReport['testEmail'];

  constructor(
    private readonly input: FlightCheckInput,
    private readonly deps: FlightCheckDeps,
    private readonly r: StepRecorder,
  ) {
    this.timeouts = connectionPolicy(input, deps).timeouts;
    this.clientName = deps.clientName ?? defaultClientName();
    this.toEmail = input.toEmail ?? input.fromEmail;
    this.current = { id: 'dns', started: r.start() };
  }

  private get t() {
    return this.r.t;
  }

  /**
   * Runs the session; with a signal, until it ends or the signal fires, whichever comes first.
   * On abort the connection is destroyed at once (whatever the session waits for: DNS, TCP,
   * TLS or a reply) and the step under way fails as `relay-timeout`.
   */
  async run(): Promise<void> {
    const { signal } = this.deps;
    if (!signal) return this.walk();
    if (signal.aborted) return this.r.interrupt(this.current.id, this.current.started);
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
    });
    signal.addEventListener('abort', onAbort, { once: true });
    const walk = this.walk();
    try {
      if ((await Promise.race([walk.then(() => 'done' as const), aborted])) === 'done') return;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    this.r.interrupt(this.current.id, this.current.started);
    this.session?.destroy();
    // The walk ends on its own now that its socket is gone; it records nothing more.
    walk.catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.deps.signal?.aborted === true;
  }

  /** Marks the step under way (what an abort fails) and returns its start. */
  private enter(id: StepId, started: Started = this.r.start()): Started {
    this.current = { id, started };
    return started;
  }

  private async walk(): Promise<void> {
    try {
      if (this.stopped || !(await this.resolve())) return;
      if (this.stopped || !(await this.connect())) return;
      if (this.input.security === 'tls' && (this.stopped || !(await this.handshake(this.enter('tls'), 'implicit')))) return;
      if (this.stopped || !(await this.greeting())) return;
      if (this.stopped || !(await this.hello())) return;
      if (this.stopped || !(await this.authenticate())) return;
      if (this.stopped || this.input.mode === 'sign-in') return;
      const transaction = {
        io: this.steps,
        input: this.input,
        toEmail: this.toEmail,
        target: this.target,
        capabilities: this.capabilities,
        clock: this.deps.clock ?? systemClock,
        messageIdDomain: this.deps.messageIdDomain,
        enter: (id: StepId) => this.enter(id),
      };
      if (!(await checkEnvelope(transaction))) return;
      if (this.stopped) return;
      this.testEmail = await finishTransaction(transaction);
    } finally {
      if (this.r.hasFailed || this.stopped) this.session?.destroy();
      else this.session?.quit();
    }
  }

  private get socket(): SmtpSession {
    if (!this.session) throw new Error('no SMTP session');
    return this.session;
  }

  private get steps(): StepIo {
    if (!this.io) throw new Error('no SMTP session');
    return this.io;
  }

  /** Delivery's TLS options for the host the guard approved (its normalised name). */
  private tlsOptions(): tls.ConnectionOptions {
    const { host, port } = this.target;
    return connectionPolicy({ host, port, security: this.input.security }, this.deps).tls;
  }

  /** Time left for a setup phase: its own timeout, cut short by the connection budget. */
  private remaining(limit: number): number {
    return Math.max(1, Math.min(limit, Math.round(this.deadline - performance.now())));
  }

  // ── dns: syntax, resolution and the address guard; a refusal opens no socket ──

  private async resolve(): Promise<boolean> {
    const started = this.enter('dns');
    const { host, port } = this.input;
    try {
      this.target = await resolveSmtpTarget(host, port, this.deps.guard);
    } catch (error) {
      const code = error instanceof AppError ? error.code : '';
      const details = error instanceof AppError && typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {};
      const fallback = error instanceof AppError ? error.message : `The DNS lookup of ${shown(host)} failed.`;
      const detail = this.t.dnsRefused(code, details, fallback, shown(host), port);
      const outcome = { detail, data: { host: shown(host), port } };
      const local: Record<string, StepExplanationId> = { smtp_port_not_allowed: 'port-not-allowed', smtp_host_invalid: 'host-invalid' };
      const localExplanation = local[code];
      if (localExplanation) {
        this.r.fail('dns', started, outcome, { stage: 'dns' }, { explanation: localExplanation });
      } else if (code === 'smtp_address_not_allowed') {
        this.r.fail('dns', started, outcome, { stage: 'dns' }, { explanation: 'address-not-allowed', capMs: this.timeouts.connection });
      } else {
        const network: NetworkFailure = code === 'smtp_host_not_found' ? (details.code === 'EAI_AGAIN' ? 'DNS_TEMPORARY' : 'ENOTFOUND') : networkOf(error, 'DNS_TEMPORARY');
        this.r.fail('dns', started, outcome, { stage: 'dns', network }, { capMs: this.timeouts.connection });
      }
      return false;
    }
    const { address, family } = this.target;
    const detail = net.isIP(host.replace(/^\[|\]$/g, '')) ? this.t.dnsLiteral(address) : this.t.dnsResolved(this.target.host, address);
    this.r.ok('dns', started, { detail, data: { host: this.target.host, address, family, port } });
    return true;
  }

  // ── connect: TCP to the approved address ──

  private async connect(): Promise<boolean> {
    const started = this.enter('connect');
    const { address, family, port } = this.target;
    const data: StepData = { address, port };
    try {
      this.session = new SmtpSession(await connectTcp(address, port, family, this.timeouts.connection, this.deps.signal));
      this.io = new StepIo(this.r, this.session, this.timeouts.socket);
      // As in delivery, the connection budget (TLS, greeting, STARTTLS) starts once the socket is open.
      this.deadline = performance.now() + this.timeouts.connection;
    } catch (error) {
      const network = networkOf(error, 'ECONNRESET');
      const detail =
        network === 'ECONNREFUSED'
          ? this.t.connectRefused(port)
          : network === 'ETIMEDOUT'
            ? this.t.connectTimeout(port, this.timeouts.connection)
            : this.t.connectFailed(port);
      this.r.fail('connect', started, { detail, data }, { stage: 'connect', network }, { capMs: this.timeouts.connection });
      return false;
    }
    this.r.ok('connect', started, { detail: this.t.connected(address, port), data });
    return true;
  }

  // ── tls: implicit TLS right after connecting, or the STARTTLS upgrade ──

  private async handshake(started: Started, mode: 'implicit' | 'starttls'): Promise<boolean> {
    const budget = this.remaining(mode === 'implicit' ? this.timeouts.connection : this.timeouts.greeting);
    let secure;
    try {
      secure = await this.socket.startTls(this.tlsOptions(), budget);
    } catch (error) {
      const network = networkOf(error, 'TLS_HANDSHAKE');
      const detail = network === 'WRONG_TLS_MODE' && mode === 'implicit' ? this.t.tlsPlainTextServer : this.t.tlsHandshake;
      this.r.fail('tls', started, { detail }, { stage: 'tls', network }, { capMs: budget });
      return false;
    }
    const { summary, problem } = verifyCertificate(secure, this.target.host);
    const version = secure.getProtocol() ?? 'TLS';
    const cipher = secure.getCipher()?.name;
    const data: StepData = { tlsVersion: version, ...(cipher ? { cipher } : {}), ...(summary ? { certificate: summary } : {}) };
    if (problem) {
      const network = fromNodemailerError({ code: problem }, { stage: 'tls' }).network ?? 'CERT_INVALID';
      const kind: CertificateProblem = network === 'CERT_EXPIRED' ? 'expired' : network === 'CERT_HOSTNAME' ? 'hostname' : 'untrusted';
      if (this.input.allowSelfSigned) {
        // Delivery turns every certificate check off in this case: it will connect, but
        // anyone on the path could pose as the server.
        this.r.warn('tls', started, { detail: this.t.tlsUnverified(version, kind), data }, 'certificate-not-verified');
        return true;
      }
      // Nothing was written on this connection: credentials never reach an unverified server.
      this.socket.destroy();
      const detail = this.t.tlsCertificate(kind, this.target.host, summary?.subjectAltNames ?? [], summary?.validTo);
      this.r.fail('tls', started, { detail, data }, { stage: 'tls', network });
      return false;
    }
    this.r.ok('tls', started, { detail: this.t.tlsOk(version, summary?.subject, summary?.issuer, summary?.validTo), data });
    return true;
  }

  // ── greeting ──

  private async greeting(): Promise<boolean> {
    const started = this.enter('greeting');
    const budget = this.remaining(this.timeouts.greeting);
    let reply: Reply;
    try {
      reply = await this.socket.read(budget, 'GREETING_TIMEOUT');
    } catch (error) {
      let network = networkOf(error, 'ECONNRESET');
      let cap = budget;
      if (network === 'GREETING_TIMEOUT' && this.input.security !== 'tls') {
        const probe = Math.min(IMPLICIT_TLS_PROBE_MS, this.timeouts.greeting);
        cap += probe;
        if (await this.expectsImplicitTls(probe)) network = 'WRONG_TLS_MODE';
      }
      const details: Partial<Record<NetworkFailure, string>> = {
        GREETING_TIMEOUT: this.t.greetingTimeout(budget),
        WRONG_TLS_MODE: this.t.greetingImplicitTls,
        NOT_SMTP: this.t.greetingNotSmtp,
        CONNECTION_CLOSED: this.t.greetingClosed,
      };
      const detail = details[network] ?? this.t.connectionLost;
      this.r.fail('greeting', started, { detail }, { stage: 'greeting', network }, { capMs: cap });
      return false;
    }
    const text = sanitizeReply(reply.text);
    const greetingHost = greetingHostName(reply.text);
    const data: StepData = { ...(text ? { reply: text } : {}), ...(greetingHost ? { greetingHost } : {}) };
    if (reply.code !== 220) {
      this.r.fail('greeting', started, { detail: this.t.greetingRefused, data }, replyFailure('greeting', reply));
      return false;
    }
    if (greetingMasked(reply.text)) {
      this.r.warn('greeting', started, { detail: this.t.greetingMasked, data }, 'greeting-host-unrelated');
    } else if (greetingHost && greetingHostRelated(this.target.host, greetingHost) === false) {
      const detail = this.t.greetingUnrelated(greetingHost, registrableDomain(this.target.host));
      this.r.warn('greeting', started, { detail, data }, 'greeting-host-unrelated');
    } else {
      this.r.ok('greeting', started, { detail: this.t.greeted(greetingHost), data });
    }
    return true;
  }

  /**
   * A server that stays silent on a plain-text connection may be waiting for a TLS
   * handshake (implicit TLS configured as STARTTLS); offering one on the same connection
   * tells, without opening another.
   */
  private async expectsImplicitTls(timeoutMs: number): Promise<boolean> {
    try {
      await this.socket.startTls(this.tlsOptions(), timeoutMs);
      return true;
    } catch {
      return false;
    } finally {
      this.socket.destroy();
    }
  }

  // ── ehlo (and STARTTLS in between) ──

  private async hello(): Promise<boolean> {
    const { security } = this.input;
    const started = this.enter('ehlo');
    const first = await this.ehlo(started);
    if (!first) return false;
    this.starttlsOffered = !first.heloOnly && offersStarttls(first.text);
    if (security === 'starttls') {
      this.enter('tls', started);
      // As delivery (requireTLS), STARTTLS is sent even when the server does not offer it.
      const reply = await this.steps.command('STARTTLS', 'tls', started);
      if (!reply) return false;
      if (!isSuccess(reply)) {
        const outcome = { detail: this.starttlsOffered ? this.t.tlsStarttlsRefused : this.t.tlsStarttlsNotOffered, data: replyData(reply) };
        const failure = replyFailure('tls', reply);
        this.r.fail('tls', started, outcome, failure, this.starttlsOffered ? {} : { explanation: 'starttls-not-offered' });
        return false;
      }
      if (!(await this.handshake(started, 'starttls'))) return false;
      const secureStarted = this.enter('ehlo');
      const second = await this.ehlo(secureStarted);
      if (!second) return false;
      this.recordCapabilities(secureStarted, second);
      return true;
    }
    if (security === 'none') {
      if (this.starttlsOffered) {
        this.r.warn('tls', this.r.start(), { detail: this.t.tlsStarttlsUnused }, 'starttls-not-used');
      } else {
        this.r.skip('tls', this.t.tlsNotConfigured);
      }
    }
    this.recordCapabilities(started, first);
    return true;
  }

  /** EHLO, falling back to HELO as nodemailer does (not when STARTTLS is required). */
  private async ehlo(started: Started): Promise<{ text: string; heloOnly: boolean } | undefined> {
    const ehlo = await this.steps.command(`EHLO ${this.clientName}`, 'ehlo', started);
    if (!ehlo) return undefined;
    if (isSuccess(ehlo)) return { text: ehlo.text, heloOnly: false };
    if (ehlo.code !== 421 && this.input.security !== 'starttls') {
      const helo = await this.steps.command(`HELO ${this.clientName}`, 'ehlo', started);
      if (!helo) return undefined;
      if (isSuccess(helo)) return { text: helo.text, heloOnly: true };
      this.steps.refused('ehlo', started, this.t.ehloRefused, helo);
      return undefined;
    }
    this.steps.refused('ehlo', started, this.t.ehloRefused, ehlo);
    return undefined;
  }

  private recordCapabilities(started: Started, hello: { text: string; heloOnly: boolean }): void {
    this.capabilities = parseCapabilities(hello.heloOnly ? '' : hello.text, this.starttlsOffered);
    const detail = hello.heloOnly ? this.t.heloOnly : this.t.ehloOk(this.capabilities);
    this.r.ok('ehlo', started, { detail, data: { capabilities: this.capabilities } });
  }

  // ── auth ──

  private async authenticate(): Promise<boolean> {
    const { username, password } = this.input;
    if (!username && !this.input.authenticator) {
      this.r.skip('auth', this.t.authNotConfigured);
      return true;
    }
    const started = this.enter('auth');
    const authenticator = this.input.authenticator ?? (username && password ? passwordAuthenticator({ user: username, pass: password }) : undefined);
    if (!authenticator) {
      this.r.fail('auth', started, { detail: this.t.authNoPassword(shown(username ?? '')) }, { stage: 'auth', network: 'NO_CREDENTIALS' });
      return false;
    }
    const user = shown(authenticator.user);
    const mechanism = authenticator.mechanism(this.capabilities?.authMechanisms ?? []);
    let reply: Reply;
    try {
      reply = await authenticator.signIn({ command: (line) => this.socket.command(line, this.timeouts.socket) }, mechanism);
    } catch (error) {
      // No token: the token endpoint's answer is the failure (explained from its error code).
      if (isOAuthTokenError(error)) {
        this.r.fail('auth', started, { detail: this.t.authTokenFailed, data: { authMechanism: mechanism } }, { stage: 'auth', network: 'OAUTH2_TOKEN', text: error.reason });
      } else {
        this.steps.lost('auth', started, error);
      }
      return false;
    }
    const secretExpiresAt = this.input.secretExpiresAt;
    const now = (this.deps.clock ?? systemClock).now();
    return recordSignIn(this.r, started, { user, mechanism, reply, token: authenticator.tokenInfo?.(), now, ...(secretExpiresAt !== undefined ? { secretExpiresAt } : {}) });
  }
}
