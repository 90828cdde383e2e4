// People: users are global (one person may belong to several organizations); a membership
// gives a user one role in one organization.

export const ROLES = ['owner', 'admin', 'member'] as const;
/** owner: controls the custom sending address and reads the delivery log; admin, member: read-only status. */
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export interface User {
  /** The platform's own id for the person. */
  id: string;
  email: string;
  name: string;
  /** Whether the user can sign in locally (email and password). */
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Membership {
  organizationId: string;
  userId: string;
  role: Role;
  createdAt: number;
  updatedAt: number;
}

/** A membership with its user, as the members API shows it. */
export interface Member extends Membership {
  email: string;
  name: string;
  hasPassword: boolean;
}

/** User ids are chosen by the platform: slugs or UUIDs, safe in URLs and logs. */
export const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;
