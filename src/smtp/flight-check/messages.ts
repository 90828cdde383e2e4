/**
 * The `detail` line of each step, in French and English. Details say what happened in a
 * few words; why and how to fix it is the explanation catalog's job. Values shown here
 * (host, addresses, certificate names) are the owner's own or come from parsed, cleaned
 * protocol fields, never from free server text.
 */
import type { Locale } from '../../glossary.ts';
import type { Capabilities, Security } from './types.ts';

export type CertificateProblem = 'expired' | 'hostname' | 'untrusted';

export interface Messages {
  securityName(security: Security): string;
  skippedAfterFailure: string;
  seconds(ms: number): string;
  date(iso: string | undefined): string;

  dnsResolved(host: string, address: string): string;
  dnsLiteral(address: string): string;
  dnsRefused(code: string, details: Record<string, unknown>, fallback: string, host: string, port: number): string;

  connected(address: string, port: number): string;
  connectRefused(port: number): string;
  connectTimeout(port: number, ms: number): string;
  connectFailed(port: number): string;

  greeted(host: string | undefined): string;
  greetingUnrelated(greetingHost: string, domain: string): string;
  greetingMasked: string;
  greetingTimeout(ms: number): string;
  greetingImplicitTls: string;
  greetingNotSmtp: string;
  greetingRefused: string;
  greetingClosed: string;

  tlsOk(version: string, subject: string | undefined, issuer: string | undefined, validTo: string | undefined): string;
  tlsUnverified(version: string, problem: CertificateProblem): string;
  tlsCertificate(problem: CertificateProblem, host: string, names: string[], validTo: string | undefined): string;
  tlsHandshake: string;
  tlsPlainTextServer: string;
  tlsStarttlsNotOffered: string;
  tlsStarttlsRefused: string;
  tlsNotConfigured: string;
  tlsStarttlsUnused: string;

  ehloOk(capabilities: Capabilities): string;
  heloOnly: string;
  ehloRefused: string;

  authOk(username: string, mechanism: string): string;
  /** Signed in with an OAuth2 access token: its provider and remaining lifetime. */
  authTokenOk(username: string, provider: string, minutes: number): string;
  authTokenFailed: string;
  secretExpiring(date: string): string;
  authNotConfigured: string;
  authNoPassword(username: string): string;
  authRefused(username: string): string;

  senderOk(from: string): string;
  senderCheckedAtDelivery: string;
  senderRefused(from: string): string;
  senderRefusedAtRcpt(from: string): string;

  recipientOk(to: string): string;
  recipientRefused(to: string): string;

  testEmailSent(to: string): string;
  testEmailNotRequested: string;
  testEmailRefused(to: string): string;

  connectionLost: string;
  /** The run was stopped at its overall deadline (signal), in the middle of this step. */
  relayTimeout: string;
}

function list(items: readonly string[], and: string): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

function sizeText(bytes: number, unit: string): string {
  return `${Math.round((bytes / 1_000_000) * 10) / 10} ${unit}`;
}

function capabilityList(c: Capabilities, unit: string): string[] {
  return [
    c.size !== null ? `SIZE ${sizeText(c.size, unit)}` : null,
    c.pipelining ? 'PIPELINING' : null,
    c.chunking ? 'CHUNKING' : null,
    c.smtputf8 ? 'SMTPUTF8' : null,
    c.eightBitMime ? '8BITMIME' : null,
    c.authMechanisms.length > 0 ? `AUTH ${c.authMechanisms.join(' ')}` : null,
  ].filter((item): item is string => item !== null);
}

const en: Messages = {
  securityName: (s) => ({ tls: 'TLS', starttls: 'STARTTLS', none: 'none' })[s],
  skippedAfterFailure: 'Not checked: an earlier step failed.',
  seconds: (ms) => `${Math.round(ms / 100) / 10} s`,
  date: (iso) => (iso ? iso.slice(0, 10) : 'an unknown date'),

  dnsResolved: (host, address) => `${host} resolves to ${address}.`,
  dnsLiteral: (address) => `${address} is an IP address: no DNS lookup needed.`,
  dnsRefused: (_code, _details, fallback) => fallback,

  connected: (address, port) => `Connected to ${address} on port ${port}.`,
  connectRefused: (port) => `The connection was refused on port ${port}.`,
  connectTimeout: (port, ms) => `No answer on port ${port} within ${en.seconds(ms)}.`,
  connectFailed: (port) => `The connection on port ${port} failed.`,

  greeted: (host) => (host ? `The server greeted as ${host}.` : 'The server greeted.'),
  greetingUnrelated: (greetingHost, domain) =>
    `The server greeted as ${greetingHost}, outside ${domain}: the network between Relais and the server may be intercepting SMTP.`,
  greetingMasked: 'The greeting is masked with asterisks: a firewall between Relais and the server is rewriting the SMTP session.',
  greetingTimeout: (ms) => `No greeting within ${en.seconds(ms)}.`,
  greetingImplicitTls: 'The server waits for TLS from the first byte (implicit TLS), but the connection started in plain text.',
  greetingNotSmtp: 'The service on this port is not an SMTP server.',
  greetingRefused: 'The server refused the session.',
  greetingClosed: 'The server closed the connection without a greeting.',

  tlsOk: (version, subject, issuer, validTo) =>
    `${version}, certificate for ${subject ?? 'an unnamed subject'} issued by ${issuer ?? 'an unnamed authority'}, valid until ${en.date(validTo)}.`,
  tlsUnverified: (version, problem) =>
    `${version}; the certificate ${{ expired: 'has expired', hostname: 'names another host', untrusted: 'is not signed by a recognised authority' }[problem]}, and is accepted only because self-signed certificates are allowed.`,
  tlsCertificate: (problem, host, names, validTo) =>
    ({
      expired: `The certificate expired on ${en.date(validTo)}.`,
      hostname: `The certificate is for ${list(names.slice(0, 5), 'and') || 'another host'}, not ${host}.`,
      untrusted: 'The certificate is not signed by a recognised authority.',
    })[problem],
  tlsHandshake: 'The TLS handshake failed.',
  tlsPlainTextServer: 'The server answered in plain text: this port expects STARTTLS, not implicit TLS.',
  tlsStarttlsNotOffered: 'The server does not offer STARTTLS on this port.',
  tlsStarttlsRefused: 'The server refused STARTTLS.',
  tlsNotConfigured: 'Security is set to none: the connection is not encrypted.',
  tlsStarttlsUnused: 'The server offers STARTTLS but security is set to none: the password and messages travel unencrypted.',

  ehloOk: (c) => {
    const items = capabilityList(c, 'MB');
    return items.length > 0 ? `Extensions: ${items.join(', ')}.` : 'The server announces no extensions.';
  },
  heloOnly: 'The server only answers HELO: no extensions.',
  ehloRefused: 'The server refused EHLO.',

  authOk: (username, mechanism) => `Signed in as ${username} (${mechanism}).`,
  authTokenOk: (username, provider, minutes) =>
    `Signed in as ${username} (XOAUTH2) with an access token from ${provider === 'google' ? 'Google' : 'Microsoft'}, valid for ${minutes} more minutes.`,
  authTokenFailed: 'No access token could be obtained from the sign-in service.',
  secretExpiring: (date) => `The client secret expires on ${date}.`,
  authNotConfigured: 'No user name configured: Relais sends without signing in.',
  authNoPassword: (username) => `No password is configured for ${username}.`,
  authRefused: (username) => `The server refused the sign-in of ${username}.`,

  senderOk: (from) => `The server accepts ${from} as the sender.`,
  senderCheckedAtDelivery:
    ' Microsoft 365 checks the right to send as this address only once a message is sent: send the test email to be sure.',
  senderRefused: (from) => `The server refuses ${from} as the sender.`,
  senderRefusedAtRcpt: (from) => `The server refuses ${from} as the sender (in its reply to RCPT TO).`,

  recipientOk: (to) => `The server accepts ${to} as a recipient.`,
  recipientRefused: (to) => `The server refuses ${to} as a recipient.`,

  testEmailSent: (to) => `The server accepted the test email for ${to}.`,
  testEmailNotRequested: 'No test email requested.',
  testEmailRefused: (to) => `The server refused the test email for ${to}.`,

  connectionLost: 'The server closed the connection or stopped answering.',
  relayTimeout: 'The server did not finish the exchange within the time allowed; the connection was closed.',
};

const fr: Messages = {
  securityName: (s) => ({ tls: 'TLS', starttls: 'STARTTLS', none: 'aucune' })[s],
  skippedAfterFailure: 'Non vérifié : une étape précédente a échoué.',
  seconds: (ms) => `${String(Math.round(ms / 100) / 10).replace('.', ',')} s`,
  date: (iso) => (iso ? new Date(iso).toLocaleDateString('fr-FR', { timeZone: 'UTC' }) : 'une date inconnue'),

  dnsResolved: (host, address) => `${host} correspond à l’adresse ${address}.`,
  dnsLiteral: (address) => `${address} est une adresse IP : pas de résolution DNS.`,
  dnsRefused: (code, details, _fallback, host, port) => {
    switch (code) {
      case 'smtp_port_not_allowed': {
        const allowed = Array.isArray(details.allowedPorts) ? (details.allowedPorts as number[]).map(String) : [];
        return `Le port ${port} n’est pas autorisé : Relais se connecte uniquement aux ports ${list(allowed, 'ou')}.`;
      }
      case 'smtp_host_invalid':
        return `« ${host} » n’est pas un nom de serveur valide : saisissez par exemple smtp.example.com.`;
      case 'smtp_host_not_found':
        return details.code === 'EAI_AGAIN'
          ? `La résolution DNS de ${host} a échoué temporairement.`
          : `${host} n’existe pas dans le DNS.`;
      case 'smtp_address_not_allowed': {
        const address = typeof details.address === 'string' ? details.address : host;
        return `${host === address ? address : `${host} correspond à ${address}`} : une adresse privée ou réservée. Relais ne se connecte qu’à des serveurs publics.`;
      }
      default:
        return `La résolution DNS de ${host} a échoué.`;
    }
  },

  connected: (address, port) => `Connecté à ${address}, port ${port}.`,
  connectRefused: (port) => `La connexion a été refusée sur le port ${port}.`,
  connectTimeout: (port, ms) => `Aucune réponse sur le port ${port} en ${fr.seconds(ms)}.`,
  connectFailed: (port) => `La connexion sur le port ${port} a échoué.`,

  greeted: (host) => (host ? `Le serveur s’est présenté comme ${host}.` : 'Le serveur s’est présenté.'),
  greetingUnrelated: (greetingHost, domain) =>
    `Le serveur s’est présenté comme ${greetingHost}, hors de ${domain} : le réseau entre Relais et le serveur intercepte peut-être les connexions SMTP.`,
  greetingMasked:
    'Le message d’accueil est masqué par des astérisques : un pare-feu entre Relais et le serveur réécrit la session SMTP.',
  greetingTimeout: (ms) => `Aucun message d’accueil en ${fr.seconds(ms)}.`,
  greetingImplicitTls:
    'Le serveur attend du TLS dès le premier octet (TLS implicite), mais la connexion a commencé en clair.',
  greetingNotSmtp: 'Le service sur ce port n’est pas un serveur SMTP.',
  greetingRefused: 'Le serveur a refusé la session.',
  greetingClosed: 'Le serveur a fermé la connexion sans message d’accueil.',

  tlsOk: (version, subject, issuer, validTo) =>
    `${version}, certificat de ${subject ?? 'sujet sans nom'} émis par ${issuer ?? 'autorité sans nom'}, valable jusqu’au ${fr.date(validTo)}.`,
  tlsUnverified: (version, problem) =>
    `${version} ; le certificat ${{ expired: 'a expiré', hostname: 'désigne un autre serveur', untrusted: 'n’est pas signé par une autorité reconnue' }[problem]}, et n’est accepté que parce que les certificats auto-signés sont autorisés.`,
  tlsCertificate: (problem, host, names, validTo) =>
    ({
      expired: `Le certificat a expiré le ${fr.date(validTo)}.`,
      hostname: `Le certificat est émis pour ${list(names.slice(0, 5), 'et') || 'un autre serveur'}, pas pour ${host}.`,
      untrusted: 'Le certificat n’est pas signé par une autorité reconnue.',
    })[problem],
  tlsHandshake: 'La négociation TLS a échoué.',
  tlsPlainTextServer: 'Le serveur a répondu en clair : ce port attend STARTTLS, pas du TLS implicite.',
  tlsStarttlsNotOffered: 'Le serveur ne propose pas STARTTLS sur ce port.',
  tlsStarttlsRefused: 'Le serveur a refusé STARTTLS.',
  tlsNotConfigured: 'Sécurité « aucune » : la connexion n’est pas chiffrée.',
  tlsStarttlsUnused:
    'Le serveur propose STARTTLS mais la sécurité est « aucune » : le mot de passe et les messages circulent en clair.',

  ehloOk: (c) => {
    const items = capabilityList(c, 'Mo');
    return items.length > 0 ? `Extensions : ${items.join(', ')}.` : 'Le serveur n’annonce aucune extension.';
  },
  heloOnly: 'Le serveur ne répond qu’à HELO : aucune extension.',
  ehloRefused: 'Le serveur a refusé EHLO.',

  authOk: (username, mechanism) => `Connecté en tant que ${username} (${mechanism}).`,
  authTokenOk: (username, provider, minutes) =>
    `Connecté en tant que ${username} (XOAUTH2) avec un jeton d’accès de ${provider === 'google' ? 'Google' : 'Microsoft'}, valable encore ${minutes} minutes.`,
  authTokenFailed: 'Aucun jeton d’accès n’a pu être obtenu du service de connexion.',
  secretExpiring: (date) => `Le secret client expire le ${date}.`,
  authNotConfigured: 'Aucun identifiant configuré : Relais envoie sans s’authentifier.',
  authNoPassword: (username) => `Aucun mot de passe n’est configuré pour ${username}.`,
  authRefused: (username) => `Le serveur a refusé l’authentification de ${username}.`,

  senderOk: (from) => `Le serveur accepte ${from} comme expéditeur.`,
  senderCheckedAtDelivery:
    ' Microsoft 365 ne vérifie le droit d’envoyer avec cette adresse qu’à l’envoi d’un message : envoyez l’e-mail de test pour en être sûr.',
  senderRefused: (from) => `Le serveur refuse ${from} comme expéditeur.`,
  senderRefusedAtRcpt: (from) => `Le serveur refuse ${from} comme expéditeur (dans sa réponse à RCPT TO).`,

  recipientOk: (to) => `Le serveur accepte ${to} comme destinataire.`,
  recipientRefused: (to) => `Le serveur refuse ${to} comme destinataire.`,

  testEmailSent: (to) => `Le serveur a accepté l’e-mail de test pour ${to}.`,
  testEmailNotRequested: 'Aucun e-mail de test demandé.',
  testEmailRefused: (to) => `Le serveur a refusé l’e-mail de test pour ${to}.`,

  connectionLost: 'Le serveur a fermé la connexion ou ne répond plus.',
  relayTimeout: 'Le serveur n’a pas terminé l’échange dans le délai imparti ; la connexion a été fermée.',
};

export function messages(locale: Locale): Messages {
  return locale === 'fr' ? fr : en;
}
