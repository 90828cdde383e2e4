// The tenants context's public surface for the other contexts: read an organization and its
// owners, and add to its audit log in the caller's transaction (a change and its audit entry
// commit together). The repositories stay private to tenants.
import type { Executor } from '../store/store.ts';
import { listMembers } from './member.repository.ts';
import type { Member } from './member.ts';

export { recordAudit, type NewAuditEntry } from './audit.repository.ts';
export { findOrganization } from './organization.repository.ts';
export { ORGANIZATION_ID_PATTERN } from './organization.ts';
export { clientKey } from './login-throttle.ts';
export { pruneAudit } from './audit.repository.ts';
export { listRetentionOverrides } from './retention.repository.ts';
export { effectiveRetention, DAY_MS, type RetentionKind, type RetentionLimits } from './retention.ts';

/** The organization's owners (the people relay alerts go to), by email. */
export async function listOwners(db: Executor, organizationId: string): Promise<Member[]> {
  return (await listMembers(db, organizationId)).filter((m) => m.role === 'owner');
}
