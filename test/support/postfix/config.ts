// Configuration files of one private Postfix + Dovecot instance used as a real submission
// server in integration tests. Rendering is pure: the fixture writes these into its own
// temporary directory, so several instances on different loopback addresses never share
// a file, a socket or a queue.
import path from 'node:path';

export interface InstanceLayout {
  /** Postfix config_directory (main.cf, master.cf, maps). */
  configDir: string;
  queueDir: string;
  dataDir: string;
  /** Directory holding the private Dovecot's sockets (its base_dir). */
  dovecotBaseDir: string;
  dovecotStateDir: string;
  /** Dovecot's configuration file. */
  dovecotConfig: string;
  /** Dovecot passwd-file with the SASL users. */
  usersFile: string;
  /** Postfix smtpd_sender_login_maps table: sender address → SASL login(s). */
  senderLoginsFile: string;
  /** Auth socket Dovecot serves (inside dovecotBaseDir) and Postfix's smtpd connects to. */
  authSocket: string;
  certFile: string;
  keyFile: string;
  postfixLog: string;
  dovecotLog: string;
  /** Directory every log file lives under (Postfix refuses to log anywhere else). */
  logPrefix: string;
}

export interface InstanceSettings {
  host: string;
  port: number;
  serverName: string;
  deliverTo: { host: string; port: number };
}

export interface SaslUser {
  username: string;
  password: string;
  /** Envelope senders this user may submit as. */
  owns: readonly string[];
}

function lines(entries: readonly string[]): string {
  return `${entries.join('\n')}\n`;
}

export function renderMainCf(layout: InstanceLayout, settings: InstanceSettings): string {
  return lines([
    'compatibility_level = 3.6',
    `config_directory = ${layout.configDir}`,
    `queue_directory = ${layout.queueDir}`,
    `data_directory = ${layout.dataDir}`,
    `myhostname = ${settings.serverName}`,
    'mydomain = test',
    'myorigin = $myhostname',
    // Postfix refuses an inet_interfaces address that no interface carries, and Linux only
    // lists 127.0.0.1 although it answers on all of 127.0.0.0/8. So the submission service
    // names its address in master.cf, and outbound mail leaves from that same address.
    'inet_interfaces = loopback-only',
    `smtp_bind_address = ${settings.host}`,
    'inet_protocols = ipv4',
    'mynetworks = 127.0.0.0/8',
    // Nothing is delivered locally: every accepted message goes to the capture relay.
    'mydestination =',
    'relay_domains =',
    'local_recipient_maps =',
    'alias_maps =',
    'alias_database =',
    `relayhost = [${settings.deliverTo.host}]:${settings.deliverTo.port}`,
    'smtp_tls_security_level = none',
    'smtp_host_lookup = native',
    'smtpd_peername_lookup = no',
    'append_dot_mydomain = no',
    'biff = no',
    // Deliver at once and retry quickly: tests wait for the message, not for a queue run.
    'queue_run_delay = 1s',
    'minimal_backoff_time = 1s',
    'maximal_backoff_time = 2s',
    'in_flow_delay = 0',
    // Only the submission service below accepts mail; anything else is refused.
    'smtpd_relay_restrictions = permit_sasl_authenticated, reject',
    `smtpd_sender_login_maps = texthash:${layout.senderLoginsFile}`,
    `smtpd_tls_cert_file = ${layout.certFile}`,
    `smtpd_tls_key_file = ${layout.keyFile}`,
    'smtpd_tls_loglevel = 1',
    `maillog_file = ${layout.postfixLog}`,
    `maillog_file_prefixes = ${layout.logPrefix}`,
    'syslog_name = relais-test-postfix',
  ]);
}

// Every service runs outside a chroot: the instance's paths live in a temporary directory
// that a chroot under the queue directory could not see.
export function renderMasterCf(layout: InstanceLayout, settings: InstanceSettings): string {
  return lines([
    `${settings.host}:${settings.port} inet n - n - - smtpd`,
    '  -o syslog_name=relais-test-postfix/submission',
    '  -o smtpd_tls_security_level=encrypt',
    '  -o smtpd_tls_auth_only=yes',
    '  -o smtpd_sasl_auth_enable=yes',
    '  -o smtpd_sasl_type=dovecot',
    `  -o smtpd_sasl_path=${layout.authSocket}`,
    '  -o smtpd_client_restrictions=',
    '  -o smtpd_helo_restrictions=',
    '  -o smtpd_sender_restrictions=reject_sender_login_mismatch,permit_sasl_authenticated,reject',
    '  -o smtpd_recipient_restrictions=',
    '  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject',
    'pickup unix n - n 60 1 pickup',
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'tlsmgr unix - - n 1000? 1 tlsmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'proxywrite unix - - n - 1 proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ]);
}

// Dovecot serves only SASL authentication to Postfix: no mail protocol (hence no network
// listener; Dovecot refuses an empty `listen`) and no TLS (the client's TLS ends at Postfix).
export function renderDovecotConf(layout: InstanceLayout): string {
  return lines([
    'protocols =',
    `base_dir = ${layout.dovecotBaseDir}`,
    `state_dir = ${layout.dovecotStateDir}`,
    'instance_name = relais-test-dovecot',
    `log_path = ${layout.dovecotLog}`,
    'ssl = no',
    // Postfix has already required TLS before it offers AUTH.
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    // Dovecot delays failed logins by 2 s by default; the wrong-password test needs no delay.
    'auth_failure_delay = 0',
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN username_format=%u ${layout.usersFile}`,
    '}',
    'userdb {',
    '  driver = static',
    '  args = uid=65534 gid=65534 home=/nonexistent',
    '}',
    // Nor the growing per-IP penalty after failures (every test client is 127.0.0.1).
    'service anvil {',
    '  unix_listener anvil-auth-penalty {',
    '    mode = 0',
    '  }',
    '}',
    'service auth {',
    `  unix_listener ${path.basename(layout.authSocket)} {`,
    '    mode = 0660',
    '    user = postfix',
    '    group = postfix',
    '  }',
    '}',
  ]);
}

export function renderUsersFile(users: readonly SaslUser[]): string {
  return lines(users.map((user) => `${user.username}:{PLAIN}${user.password}::::::`));
}

export function renderSenderLogins(users: readonly SaslUser[]): string {
  const owners = new Map<string, string[]>();
  for (const user of users) {
    for (const address of user.owns) owners.set(address, [...(owners.get(address) ?? []), user.username]);
  }
  return lines([...owners].map(([address, logins]) => `${address} ${logins.join(',')}`));
}
