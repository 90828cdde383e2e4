// One vocabulary for check failures: the relays' last check kept the codes of the old connection
// check (smtp_auth_failed…) when it came from a verification, and explanation ids
// (auth-failed…) when it came from the flight check. Verification now is the flight check up to
// sign-in; the old codes become the explanation ids the settings page explains.
import { sql, type Kysely } from 'kysely';

/** Old connection-check and address-guard codes → explanation ids. */
const RENAMED: Record<string, string> = {
  smtp_auth_failed: 'auth-failed',
  smtp_connect_failed: 'connection-refused',
  smtp_connect_timeout: 'connection-timeout',
  smtp_greeting_failed: 'greeting-timeout',
  smtp_tls_failed: 'tls-handshake-failed',
  smtp_host_not_found: 'host-not-found',
  smtp_host_invalid: 'host-invalid',
  smtp_port_not_allowed: 'port-not-allowed',
  smtp_address_not_allowed: 'address-not-allowed',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [from, to] of Object.entries(RENAMED)) {
    await sql`UPDATE smtp_relays SET last_check_error_code = ${to} WHERE last_check_error_code = ${from}`.execute(db);
  }
  // Any other code of the old vocabulary (none is known) reads as an unexpected reply.
  await sql`UPDATE smtp_relays SET last_check_error_code = 'unexpected-reply' WHERE last_check_error_code LIKE 'smtp\\_%' ESCAPE '\\'`.execute(db);
}
