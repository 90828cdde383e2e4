// A Postfix submission server for a test suite: started before the suite, stopped after,
// relaying what it accepts to a capture fixture. Postfix is required in CI; elsewhere the
// suite is skipped with the reason.
import { after, before } from 'node:test';
import { postfixUnavailableReason, startPostfix, type PostfixFixture } from './postfix.ts';
import { startSmtpFixture, type SmtpFixture } from './smtp-fixture.ts';

/** The `skip` option of a suite that needs Postfix: the reason where it is missing; throws in CI. */
export function postfixSuiteSkip(): string | false {
  const unavailable = postfixUnavailableReason();
  if (unavailable && process.env.CI) throw new Error(`Postfix is required in CI: ${unavailable}`);
  return unavailable ? `Postfix unavailable (${unavailable}); required in CI` : false;
}

export interface PostfixRelay {
  /** Set once the suite's `before` ran. */
  readonly postfix: PostfixFixture;
  /** Where Postfix relays what it accepts. */
  readonly capture: SmtpFixture;
}

/** Call inside a `describe`: Postfix on `host`:587, relaying to a capture fixture on `captureHost`. */
export function usePostfixRelay(options: { host: string; captureHost: string; capturePort?: number }): PostfixRelay {
  let postfix: PostfixFixture | undefined;
  let capture: SmtpFixture | undefined;
  before(async () => {
    if (postfixUnavailableReason()) return;
    capture = await startSmtpFixture({ host: options.captureHost, port: options.capturePort ?? 0, security: 'none' });
    postfix = await startPostfix({ host: options.host, deliverTo: { host: capture.host, port: capture.port } });
  });
  after(async () => {
    await postfix?.stop();
    await capture?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('Postfix was not started for this suite');
    return value;
  };
  return {
    get postfix() {
      return started(postfix);
    },
    get capture() {
      return started(capture);
    },
  };
}

/** How a client signs in to the suite's Postfix: STARTTLS on its port, its user, sending as the address that user owns. */
export function postfixSubmission(postfix: PostfixFixture): {
  host: string;
  port: number;
  security: 'starttls';
  username: string;
  password: string;
  fromEmail: string;
} {
  return { host: postfix.host, port: postfix.port, security: 'starttls', username: postfix.username, password: postfix.password, fromEmail: postfix.ownedSender };
}
