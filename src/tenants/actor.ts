// Who is acting: the platform (an API key), a person signed in with a session, or Relais
// itself (CLI, demo seeding). The audit log records the actor of every change.

export interface PlatformActor {
  kind: 'platform';
  apiKeyId: string;
  /** The key's name, e.g. "production platform". */
  name: string;
}

export interface UserActor {
  kind: 'user';
  userId: string;
  email: string;
  name: string;
  session: {
    /** The session's stored id (a hash of the cookie), never the cookie itself. */
    idHash: string;
    /** Embedded sessions and logins that named an organization are limited to it. */
    organizationId: string | null;
    csrfToken: string;
    expiresAt: number;
  };
}

export interface SystemActor {
  kind: 'system';
  /** What acted, e.g. "demo-seed" or "cli". */
  name: string;
}

export type Actor = PlatformActor | UserActor | SystemActor;

/** How an actor appears in the audit log. */
export interface AuditActor {
  kind: 'api_key' | 'user' | 'system';
  id: string;
  label: string;
}

export function auditActorOf(actor: Actor): AuditActor {
  switch (actor.kind) {
    case 'platform':
      return { kind: 'api_key', id: actor.apiKeyId, label: actor.name };
    case 'user':
      return { kind: 'user', id: actor.userId, label: actor.email };
    case 'system':
      return { kind: 'system', id: actor.name, label: actor.name };
  }
}
