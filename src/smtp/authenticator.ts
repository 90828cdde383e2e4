/**
 * How Relais signs in to an SMTP server: one SmtpAuthenticator per method (a password today;
 * XOAUTH2 next). The flight check runs it over its step-by-step session; delivery hands it to
 * nodemailer as a custom authentication handler (`nodemailerAuth`). Both sign in with the same
 * code, so a new method is written once and a passed check means delivery signs in alike.
 *
 * The commands an authenticator sends carry secrets: they are never recorded, logged or
 * returned; only the server's replies come back.
 */
import { createHmac } from 'node:crypto';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

/** A complete SMTP reply: its code and every line as received ("334 …", "235 2.7.0 …"). */
export interface SmtpReply {
  code: number;
  text: string;
}

/** What an authenticator needs of a session: send one line, read the reply to it. */
export interface SmtpCommandChannel {
  command(line: string): Promise<SmtpReply>;
}

export interface SmtpAuthenticator {
  /** The account that signs in, as reports show it (never a secret). */
  readonly user: string;
  /** The SASL mechanism used with a server that announces `offered` (its EHLO AUTH list). */
  mechanism(offered: readonly string[]): string;
  /** Runs the exchange; resolves with the server's last reply (2xx: signed in, else the refusal). */
  signIn(channel: SmtpCommandChannel, mechanism: string): Promise<SmtpReply>;
  /** OAuth2 methods: the provider and remaining lifetime of the last token used (never the token). */
  tokenInfo?(): { provider: 'microsoft' | 'google'; expiresInMinutes: number } | undefined;
}

/** Password mechanisms in nodemailer's order of preference: the first one offered is used. */
export const PASSWORD_MECHANISMS = ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const;
export type PasswordMechanism = (typeof PASSWORD_MECHANISMS)[number];

/** The first password mechanism offered, else PLAIN (a server that announces none). */
export function chooseMechanism(offered: readonly string[]): PasswordMechanism {
  return PASSWORD_MECHANISMS.find((mechanism) => offered.includes(mechanism)) ?? 'PLAIN';
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Signs in with a user name and password: PLAIN (no authorization identity), LOGIN or CRAM-MD5. */
export function passwordAuthenticator(credentials: { user: string; pass: string }): SmtpAuthenticator {
  const { user, pass } = credentials;
  return {
    user,
    mechanism: chooseMechanism,
    async signIn(channel, mechanism) {
      switch (mechanism) {
        case 'LOGIN': {
          const start = await channel.command('AUTH LOGIN');
          if (start.code !== 334) return start;
          const afterUser = await channel.command(b64(user));
          if (afterUser.code !== 334) return afterUser;
          return channel.command(b64(pass));
        }
        case 'CRAM-MD5': {
          const challenge = await channel.command('AUTH CRAM-MD5');
          if (challenge.code !== 334) return challenge;
          const nonce = Buffer.from(challenge.text.slice(4).trim(), 'base64').toString('utf8');
          const digest = createHmac('md5', pass).update(nonce).digest('hex');
          return channel.command(b64(`${user} ${digest}`));
        }
        default:
          return channel.command(`AUTH PLAIN ${b64(`\u0000${user}\u0000${pass}`)}`);
      }
    },
  };
}

/** nodemailer's name for the handler below; never sent to a server. */
const NODEMAILER_METHOD = 'RELAIS';

/**
 * nodemailer options that make a delivery connection sign in through `authenticator`: it
 * chooses the mechanism from what the server announced and runs the same exchange as the
 * flight check. A refusal surfaces as nodemailer's EAUTH with the server's reply.
 */
export function nodemailerAuth(authenticator: SmtpAuthenticator): Pick<SMTPPool.Options, 'auth' | 'customAuth'> {
  return {
    auth: { type: 'custom', method: NODEMAILER_METHOD, user: authenticator.user },
    customAuth: {
      [NODEMAILER_METHOD]: async (ctx: SMTPConnection.CustomAuthenticationContext) => {
        const channel: SmtpCommandChannel = {
          command: async (line) => {
            const response = await ctx.sendCommand(line);
            return { code: response.status, text: response.response };
          },
        };
        const reply = await authenticator.signIn(channel, authenticator.mechanism(ctx.authMethods));
        // The mechanism travels with the refusal: a 535 to XOAUTH2 is explained apart (failure.ts).
        if (reply.code < 200 || reply.code >= 300) throw Object.assign(new Error('Authentication refused'), { mechanism: authenticator.mechanism(ctx.authMethods) });
        return true;
      },
    },
  };
}
