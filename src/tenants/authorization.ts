// Authorization, decided in one place: which actors may do what.
//
// Every /v1 route declares one permission (see src/api/access-control.ts); this table says
// who holds it. The platform key may do everything an organization's people may do, and
// more. People act through their membership in the organization named in the URL:
//
// - not a member of that organization (or a session bound to another one)
//     → 404 organization_not_found, exactly as for an organization that does not exist,
//       so ids of other organizations reveal nothing;
// - a member whose role lacks the permission → 403 forbidden.
import type { Actor } from './actor.ts';
import type { Role } from './member.ts';

export type Rule =
  /** Held by the platform key, and by members of the route's organization with one of `roles`. */
  | { readonly scope: 'organization'; readonly roles: readonly Role[] }
  /** Held by the platform key only; the route names no organization (e.g. creating one). */
  | { readonly scope: 'platform' }
  /** Held by any signed-in person, about their own session. */
  | { readonly scope: 'session' };

const EVERYONE: readonly Role[] = ['owner', 'admin', 'member'];
const OWNERS: readonly Role[] = ['owner'];
const PLATFORM_ONLY: readonly Role[] = [];

export const POLICY = {
  'organizations:create': { scope: 'platform' },
  'embed-sessions:create': { scope: 'platform' },
  'session:current': { scope: 'session' },
  /** Name, locale and feature flags. */
  'organization:read': { scope: 'organization', roles: EVERYONE },
  /** Name and locale mirror the platform's own records. */
  'organization:update': { scope: 'organization', roles: PLATFORM_ONLY },
  /** Turning "Custom sending address (SMTP)" on or off. */
  'features:update': { scope: 'organization', roles: OWNERS },
  'members:read': { scope: 'organization', roles: OWNERS },
  /** Members and roles are managed by the platform, so nobody can promote themselves. */
  'members:manage': { scope: 'organization', roles: PLATFORM_ONLY },
  /** Whether custom sending is on, its status and the sender address; nothing else of the relay. */
  'relay:read-status': { scope: 'organization', roles: EVERYONE },
  /** Full relay settings (never secrets), check results. */
  'relay:read': { scope: 'organization', roles: OWNERS },
  /** Save, delete, check, activate, deactivate. */
  'relay:write': { scope: 'organization', roles: OWNERS },
  'messages:send': { scope: 'organization', roles: PLATFORM_ONLY },
  /** The delivery log. */
  'messages:read': { scope: 'organization', roles: OWNERS },
  /** Re-sending a failed message from the delivery log. */
  'messages:resend': { scope: 'organization', roles: OWNERS },
  /** Delivery and relay events of every organization (GET /v1/events). */
  'events:read': { scope: 'platform' },
  'audit:read': { scope: 'organization', roles: OWNERS },
  /** The platform's webhook endpoints, their secrets and delivery log. */
  'webhooks:manage': { scope: 'platform' },
  /** How long the organization's personal data is kept; owners may shorten it. */
  'retention:read': { scope: 'organization', roles: OWNERS },
  'retention:write': { scope: 'organization', roles: OWNERS },
  /** Erasing one person's address from everything the organization's mail holds. */
  'personal-data:erase': { scope: 'organization', roles: OWNERS },
  /** The delivery log as NDJSON, for the platform's or the organization's own archives. */
  'messages:export': { scope: 'organization', roles: OWNERS },
  /** Deleting the organization with its relay, members, messages and events. */
  'organization:delete': { scope: 'organization', roles: PLATFORM_ONLY },
} as const satisfies Record<string, Rule>;

export type Permission = keyof typeof POLICY;

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(POLICY, value);
}

export function ruleFor(permission: Permission): Rule {
  return POLICY[permission];
}

/** The roles holding a permission in an organization (the platform key always does). */
export function rolesWith(permission: Permission): readonly Role[] {
  const rule: Rule = POLICY[permission];
  return rule.scope === 'organization' ? rule.roles : [];
}

export type Decision = { allowed: true } | { allowed: false; code: 'forbidden' | 'organization_not_found' };

const ALLOWED: Decision = { allowed: true };

/**
 * Whether `actor` holds `permission`. For organization permissions, `organizationId` is the
 * organization the request is about and `role` the actor's role there (undefined when not a
 * member).
 */
export function decide(actor: Actor, permission: Permission, target: { organizationId?: string; role?: Role } = {}): Decision {
  const rule: Rule = POLICY[permission];
  if (actor.kind === 'system') return ALLOWED;
  if (actor.kind === 'platform') return rule.scope === 'session' ? { allowed: false, code: 'forbidden' } : ALLOWED;
  switch (rule.scope) {
    case 'session':
      return ALLOWED;
    case 'platform':
      return { allowed: false, code: 'forbidden' };
    case 'organization': {
      const bound = actor.session.organizationId;
      if (target.organizationId === undefined || (bound !== null && bound !== target.organizationId) || target.role === undefined) {
        return { allowed: false, code: 'organization_not_found' };
      }
      return rule.roles.includes(target.role) ? ALLOWED : { allowed: false, code: 'forbidden' };
    }
  }
}
