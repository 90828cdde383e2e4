// Embedded sign-in: the platform asks for a link for one of an organization's members; the
// person's browser opens it (typically in an iframe of the platform) and gets a session
// bound to that user and organization. Links are signed, short-lived and work once.
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { SecretKeys } from '../secrets/key-source.ts';
import type { Db } from '../store/store.ts';
import { deleteExpiredEmbedTokenUses, markEmbedTokenUsed } from './embed.repository.ts';
import { signEmbedToken, verifyEmbedToken } from './embed-token.ts';
import { findMembership } from './member.repository.ts';
import { findOrganization } from './organization.repository.ts';
import { serverSecret } from './server-secret.ts';
import type { Session } from './session.ts';
import type { SessionService } from './session.service.ts';

/** Name of the stored random secret the signing key is derived from. */
const SECRET_NAME = 'embed-token-signing';

export interface EmbedLink {
  token: string;
  /** Open this in the person's browser: `<public URL>/embed?token=…`. */
  url: string;
  expiresAt: number;
}

export class EmbedService {
  private signingKey: Promise<Buffer> | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
    /** Seal the stored secret the signing key is derived from. */
    private readonly secrets: SecretKeys,
    private readonly options: { publicUrl: string; ttlMs: number },
  ) {}

  /**
   * Loads the signing key at start-up: creates its secret on a new database, and seals one an
   * earlier version stored in clear, so the clear value leaves the database at once.
   */
  async prepare(): Promise<void> {
    await this.key();
  }

  async issue(organizationId: string, userId: string): Promise<EmbedLink> {
    if (!(await findOrganization(this.db, organizationId))) {
      throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
    }
    if (!(await findMembership(this.db, organizationId, userId))) {
      throw new AppError('member_not_found', `User "${userId}" is not a member of organization "${organizationId}". Add them first with PUT /v1/organizations/${organizationId}/members/${userId}.`);
    }
    const now = this.clock.now();
    const expiresAt = now + this.options.ttlMs;
    const token = signEmbedToken(await this.key(), { jti: randomBytes(16).toString('base64url'), organizationId, userId, issuedAt: now, expiresAt });
    return { token, url: `${this.options.publicUrl}/embed?token=${encodeURIComponent(token)}`, expiresAt };
  }

  /** Exchanges a token for a session; 401 with a code telling what was wrong with it. */
  async exchange(token: string): Promise<{ token: string; session: Session }> {
    const claims = verifyEmbedToken(await this.key(), token);
    if (!claims) throw new AppError('embed_token_invalid', 'This sign-in link is not valid. Open the settings again from the platform.');
    const now = this.clock.now();
    if (claims.expiresAt <= now) {
      throw new AppError('embed_token_expired', 'This sign-in link has expired. Open the settings again from the platform.');
    }
    return this.db.transaction().execute(async (tx) => {
      await deleteExpiredEmbedTokenUses(tx, now);
      if (!(await markEmbedTokenUsed(tx, claims.jti, claims.expiresAt))) {
        throw new AppError('embed_token_used', 'This sign-in link was already used. Open the settings again from the platform.');
      }
      // Removed since the link was made: the link must not outlive the membership.
      if (!(await findMembership(tx, claims.organizationId, claims.userId))) {
        throw new AppError('embed_token_invalid', 'This sign-in link is not valid. Open the settings again from the platform.');
      }
      return this.sessions.create(claims.userId, claims.organizationId, 'embed', tx);
    });
  }

  private key(): Promise<Buffer> {
    this.signingKey ??= serverSecret(this.db, this.secrets, SECRET_NAME, this.clock.now()).then(
      (secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'relais embed token v1', 32)),
      (error: unknown) => {
        this.signingKey = undefined; // a database hiccup must not stick
        throw error;
      },
    );
    return this.signingKey;
  }
}
