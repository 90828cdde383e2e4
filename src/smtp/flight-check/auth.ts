/**
 * Signs in with a password, the way nodemailer does for delivery: the first of PLAIN,
 * LOGIN and CRAM-MD5 the server offers (PLAIN when it announces none), PLAIN without an
 * authorization identity. The commands carry the password and are never recorded; only
 * the server's replies come back.
 */
import { createHmac } from 'node:crypto';
import type { PasswordMechanism } from './capabilities.ts';
import type { Reply, SmtpSession } from './smtp-session.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The server's last reply: 2xx means signed in, anything else is the refusal. */
export async function authenticate(
  session: SmtpSession,
  mechanism: PasswordMechanism,
  credentials: { user: string; pass: string },
  timeoutMs: number,
): Promise<Reply> {
  const { user, pass } = credentials;
  switch (mechanism) {
    case 'PLAIN':
      return session.command(`AUTH PLAIN ${b64(`\u0000${user}\u0000${pass}`)}`, timeoutMs);
    case 'LOGIN': {
      const start = await session.command('AUTH LOGIN', timeoutMs);
      if (start.code !== 334) return start;
      const afterUser = await session.command(b64(user), timeoutMs);
      if (afterUser.code !== 334) return afterUser;
      return session.command(b64(pass), timeoutMs);
    }
    case 'CRAM-MD5': {
      const challenge = await session.command('AUTH CRAM-MD5', timeoutMs);
      if (challenge.code !== 334) return challenge;
      const nonce = Buffer.from(challenge.text.slice(4).trim(), 'base64').toString('utf8');
      const digest = createHmac('md5', pass).update(nonce).digest('hex');
      return session.command(b64(`${user} ${digest}`), timeoutMs);
    }
  }
}
