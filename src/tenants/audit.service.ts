// Reading an organization's audit log, newest first, a page at a time.
import { AppError } from '../errors.ts';
import type { Executor } from '../store/store.ts';
import type { AuditEntry } from './audit.ts';
import { listAudit } from './audit.repository.ts';
import { findOrganization } from './organization.repository.ts';

export class AuditService {
  constructor(private readonly db: Executor) {}

  async list(organizationId: string, page: { cursor?: string; limit: number }): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    if (!(await findOrganization(this.db, organizationId))) {
      throw new AppError('organization_not_found', `No organization has the id "${organizationId}".`);
    }
    const before = page.cursor === undefined ? undefined : Number(page.cursor);
    if (before !== undefined && !Number.isSafeInteger(before)) {
      throw new AppError('invalid_cursor', 'cursor must be the nextCursor of a previous page.');
    }
    // One extra row tells whether another page exists.
    const rows = await listAudit(this.db, organizationId, page.limit + 1, before);
    const entries = rows.slice(0, page.limit);
    const last = entries[entries.length - 1];
    return { entries, nextCursor: rows.length > page.limit && last ? last.cursor : null };
  }
}
