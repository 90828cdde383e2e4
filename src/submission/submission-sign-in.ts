// AUTH on the submission port: the password is a platform API key, the username the
// organization sent for (or `platform`, the organization then named in each message). Refused
// at AUTH — never later — with 535 5.7.8. Failures are counted per client address through the
// attempt budget, as sign-ins are: an attempt is reserved before the key is looked at and
// counts unless it succeeds.
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { AttemptBudget } from '../store/attempt-budget.ts';
import { clientKey, ORGANIZATION_ID_PATTERN } from '../tenants/tenants.ts';
import { REPLIES, type SmtpReply } from './smtp-reply.ts';

/** The username that lets each message name its organization (X-Relais-Organization). */
export const PLATFORM_USERNAME = 'platform';

/** Who signed in: one organization, or the platform for any organization (`null`). */
export interface SubmissionUser {
  organizationId: string | null;
  apiKeyId: string;
}

export interface SignInDeps {
  attempts: AttemptBudget;
  metrics: Metrics;
  verifyApiKey(presented: string): Promise<{ id: string } | undefined>;
  organizationExists(id: string): Promise<boolean>;
  /** Failed sign-ins allowed per client address within the window (sign-in's per-IP limit). */
  maxFailuresPerAddress: number;
  windowMs: number;
}

export async function signIn(deps: SignInDeps, credentials: { username: string; password: string; remoteAddress: string }): Promise<SubmissionUser | SmtpReply> {
  const attemptId = randomBytes(12).toString('base64url');
  const key = `smtp-auth:ip:${clientKey(credentials.remoteAddress)}`;
  const reservation = await deps.attempts.reserve({ attemptId, limits: [{ key, max: deps.maxFailuresPerAddress }], windowMs: deps.windowMs });
  if (!reservation.ok) {
    deps.metrics.smtpAuthFailures.inc({ reason: 'throttled' });
    return REPLIES.throttled(Math.ceil(reservation.retryAfterMs / 1000));
  }
  const apiKey = await deps.verifyApiKey(credentials.password);
  if (!apiKey) {
    deps.metrics.smtpAuthFailures.inc({ reason: 'bad_key' });
    return REPLIES.badCredentials();
  }
  const { username } = credentials;
  let organizationId: string | null = null;
  if (username !== PLATFORM_USERNAME) {
    if (!ORGANIZATION_ID_PATTERN.test(username) || !(await deps.organizationExists(username))) {
      deps.metrics.smtpAuthFailures.inc({ reason: 'unknown_organization' });
      return REPLIES.unknownOrganization();
    }
    organizationId = username;
  }
  await deps.attempts.release(attemptId, key);
  return { organizationId, apiKeyId: apiKey.id };
}

/** Whether an organization exists, from a lookup that raises `organization_not_found`. */
export async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === 'organization_not_found') return false;
    throw error;
  }
}
