// HTTP shape of a relay's sign-in method: the `auth` object of PUT …/smtp-relay (secrets
// write-only) and of the relay view (never a secret).
import { z } from 'zod';
import { isValidAddress } from '../../outbox/message.ts';
import { parseServiceAccountKey } from '../relay-auth.ts';
import type { Relay } from '../relay.ts';
import type { RelayAuthInput } from './relay-oauth.ts';

const LINE_BREAK_OR_NUL = /[\r\n\0]/;

/** Tenant: its id (a GUID) or one of its domains (contoso.onmicrosoft.com). */
const tenantId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/, 'must be the directory (tenant) ID, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47');
const clientId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, 'must be the application (client) ID, e.g. 00001111-aaaa-2222-bbbb-3333cccc4444');
const mailbox = z.string().superRefine((value, ctx) => {
  if (value.length > 254 || LINE_BREAK_OR_NUL.test(value) || !isValidAddress(value)) {
    ctx.addIssue({ code: 'custom', message: 'The user must be the mailbox address, such as formation@example.fr.', params: { code: 'invalid_address' } });
  }
});
const writeOnly = (max: number) =>
  z.string().superRefine((value, ctx) => {
    // Never echo a secret, even in part.
    if (value.trim().length === 0 || value.length > max) ctx.addIssue({ code: 'custom', message: `must be 1 to ${max} characters` });
    else if (max <= 1024 && LINE_BREAK_OR_NUL.test(value)) ctx.addIssue({ code: 'custom', message: 'may not contain line breaks or NUL characters' });
  });

export const relayAuthBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('password') }),
  z.strictObject({
    type: z.literal('oauth2-microsoft'),
    tenantId,
    clientId,
    /** Write-only: the secret's **value** (not its ID). Omit it to keep the stored one while tenant, client, user and server are unchanged. */
    clientSecret: writeOnly(1024).optional(),
    user: mailbox,
    /** When the secret expires (Entra shows it): owners are reminded 30 and 7 days before. */
    clientSecretExpiresAt: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).nullable().optional(),
  }),
  z.strictObject({
    type: z.literal('oauth2-google'),
    /** Write-only: the service account's JSON key file, as text. Omit it to keep the stored key while the user and server are unchanged. */
    serviceAccountKey: writeOnly(20_000).optional(),
    user: mailbox,
  }),
  /** Keeps the mailbox connected with "Connect with Microsoft / Google" (connecting one goes through POST …/smtp-relay/connect). */
  z.strictObject({ type: z.literal('oauth2-connected'), user: mailbox }),
]);

export const relayAuthView = z.discriminatedUnion('type', [
  z.object({ type: z.literal('password') }),
  z.object({
    type: z.literal('oauth2-microsoft'),
    tenantId: z.string(),
    clientId: z.string(),
    user: z.string(),
    hasClientSecret: z.boolean(),
    clientSecretExpiresAt: z.string().nullable(),
  }),
  z.object({
    type: z.literal('oauth2-google'),
    user: z.string(),
    serviceAccountEmail: z.string(),
    clientId: z.string().nullable(),
    hasPrivateKey: z.boolean(),
  }),
  z.object({ type: z.literal('oauth2-connected'), provider: z.enum(['microsoft', 'google']), user: z.string(), connected: z.boolean() }),
]);

export function presentAuth(relay: Relay): z.infer<typeof relayAuthView> {
  const { auth } = relay;
  const hasSecret = relay.sealedPassword !== '';
  switch (auth.type) {
    case 'password':
      return { type: 'password' };
    case 'oauth2-microsoft':
      return {
        type: auth.type,
        tenantId: auth.tenantId,
        clientId: auth.clientId,
        user: relay.username,
        hasClientSecret: hasSecret,
        clientSecretExpiresAt: auth.clientSecretExpiresAt === null ? null : new Date(auth.clientSecretExpiresAt).toISOString(),
      };
    case 'oauth2-google':
      return { type: auth.type, user: relay.username, serviceAccountEmail: auth.clientEmail, clientId: auth.clientId, hasPrivateKey: hasSecret };
    case 'oauth2-connected':
      return { type: auth.type, provider: auth.provider, user: auth.user, connected: hasSecret };
  }
}

/** The body's sign-in as the service takes it: the mailbox as `username`, the application's secret as `password`. */
export function authInput(
  auth: z.infer<typeof relayAuthBody> | undefined,
  username: string | undefined,
  password: string | undefined,
): { username: string; password?: string; auth?: RelayAuthInput } {
  if (!auth || auth.type === 'password') return { username: username ?? '', ...(password !== undefined ? { password } : {}) };
  if (auth.type === 'oauth2-microsoft') {
    const expires = auth.clientSecretExpiresAt ? Date.parse(auth.clientSecretExpiresAt) : null;
    return {
      username: auth.user,
      ...(auth.clientSecret !== undefined ? { password: auth.clientSecret.trim() } : {}),
      auth: { type: auth.type, tenantId: auth.tenantId, clientId: auth.clientId, clientSecretExpiresAt: expires },
    };
  }
  if (auth.type === 'oauth2-connected') return { username: auth.user, auth: { type: 'oauth2-connected' } };
  if (auth.serviceAccountKey === undefined) return { username: auth.user, auth: { type: 'oauth2-google' } };
  const key = parseServiceAccountKey(auth.serviceAccountKey);
  return {
    username: auth.user,
    password: key.privateKey,
    auth: { type: 'oauth2-google', clientEmail: key.clientEmail, clientId: key.clientId, privateKeyId: key.privateKeyId },
  };
}
