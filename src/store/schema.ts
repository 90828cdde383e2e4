// Row shapes as the database holds them. Rows never leave the store's repositories:
// services map them to domain objects.
import type { Generated } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  locale: string;
  /** JSON object of feature flags, e.g. {"customSmtp":true}. */
  features: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** SHA-256 of the key, hex. Keys are high-entropy random strings, so a fast hash is enough. */
  key_hash: string;
  /** First characters of the key, shown in listings so people can tell keys apart. */
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface MessagesTable {
  id: string;
  organization_id: string;
  status: string;
  category: string | null;
  /** The Message-ID header, fixed at acceptance so every attempt carries the same one. */
  message_id_header: string;
  /** JSON of the accepted request (recipients, subject, bodies, attachments). */
  payload: string;
  size_bytes: number;
  recipient_count: number;
  idempotency_key: string | null;
  request_hash: string | null;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  route: string | null;
  last_reply: string | null;
  last_error_code: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  failed_at: number | null;
}

export interface MessageAttemptsTable {
  id: Generated<number>;
  message_id: string;
  attempt: number;
  route: string;
  started_at: number;
  finished_at: number;
  outcome: string;
  reply: string | null;
  error_code: string | null;
}

export interface Database {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  messages: MessagesTable;
  message_attempts: MessageAttemptsTable;
}
