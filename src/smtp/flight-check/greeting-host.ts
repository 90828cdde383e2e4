/**
 * Whether the server that greeted us is plausibly the one configured.
 *
 * Some hosting networks and antivirus products intercept outgoing SMTP and answer in the
 * provider's place: the greeting then names the interceptor (or masks the banner with
 * asterisks, as firewall "SMTP fixups" do). Providers themselves often greet with another
 * host of their own domain (smtp.office365.com → xyz.outlook.office365.com), so hosts are
 * compared by registrable domain, and a few operators known to greet from a sister domain
 * are listed.
 *
 * The registrable domain is approximated with the multi-label public suffixes mail hosts
 * commonly sit under; the Public Suffix List (through a library such as tldts) would be
 * exact, and this is the only place that would change.
 */
import net from 'node:net';

const MULTI_LABEL_SUFFIXES = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'net.uk', 'sch.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au', 'co.nz', 'net.nz', 'org.nz',
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp', 'co.kr', 'or.kr', 'com.cn', 'net.cn', 'org.cn',
  'com.hk', 'com.tw', 'com.sg', 'com.my', 'co.in', 'net.in', 'org.in', 'co.id', 'co.th',
  'com.br', 'net.br', 'org.br', 'com.ar', 'com.mx', 'com.co', 'com.pe', 'com.uy',
  'co.za', 'org.za', 'co.il', 'org.il', 'com.tr', 'net.tr', 'org.tr', 'com.ua', 'com.pl',
  'com.es', 'nom.es', 'org.es', 'co.at', 'or.at', 'gv.at', 'com.pt', 'com.gr', 'com.cy',
  'gouv.fr', 'asso.fr', 'nom.fr', 'com.fr', 'tm.fr', 'co.ma', 'com.tn', 'com.dz',
]);

/** Operators that greet from a sister domain of the one their documentation names. */
const SAME_OPERATOR: readonly (readonly string[])[] = [
  ['gmail.com', 'google.com', 'googlemail.com'],
  ['office365.com', 'outlook.com', 'microsoft.com', 'hotmail.com', 'live.com'],
  ['ionos.fr', 'ionos.de', 'ionos.com', 'ionos.co.uk', 'ionos.es', 'kundenserver.de', 'perfora.net', '1and1.com'],
  ['brevo.com', 'sendinblue.com'],
  ['sendgrid.net', 'sendgrid.com'],
  ['amazonaws.com', 'amazonses.com'],
  ['zoho.com', 'zoho.eu', 'zohomail.com', 'zohomail.eu'],
  ['ovh.net', 'ovh.com', 'ovh.fr', 'ovh.ca'],
  ['mailgun.org', 'mailgun.net', 'mailgun.com'],
  ['scw.cloud', 'scaleway.com'],
];

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

/** The host name a 220 greeting starts with ("220 mx.example.com ESMTP …"), if it names one. */
export function greetingHostName(greeting: string): string | undefined {
  const first = /^\d{3}[ -](\S+)/.exec(greeting.split('\n')[0] ?? '')?.[1];
  if (!first) return undefined;
  const name = first.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return HOST_NAME.test(name) ? name : undefined;
}

/** A banner masked with asterisks: a firewall rewrites the session on its way. */
export function greetingMasked(greeting: string): boolean {
  const first = (greeting.split('\n')[0] ?? '').slice(4);
  const stars = first.replace(/[^*]/g, '').length;
  return stars >= 6 && stars >= first.replace(/\s/g, '').length / 2;
}

export function registrableDomain(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const lastTwo = labels.slice(-2).join('.');
  const take = MULTI_LABEL_SUFFIXES.has(lastTwo) ? 3 : 2;
  return labels.slice(-take).join('.');
}

/** "infomaniak" for infomaniak.com and infomaniak.ch: the same operator under another TLD. */
function brand(domain: string): string {
  return domain.split('.')[0] ?? domain;
}

/**
 * true: the greeting's host belongs to the configured host's domain (or operator);
 * false: it names another domain; undefined: nothing to compare (IP address configured, or
 * a greeting that names no host).
 */
export function greetingHostRelated(configuredHost: string, greetingHost: string | undefined): boolean | undefined {
  if (greetingHost === undefined || net.isIP(configuredHost) !== 0 || !configuredHost.includes('.')) return undefined;
  const configured = registrableDomain(configuredHost);
  const greeted = registrableDomain(greetingHost);
  if (configured === greeted || brand(configured) === brand(greeted)) return true;
  return SAME_OPERATOR.some((group) => group.includes(configured) && group.includes(greeted));
}
