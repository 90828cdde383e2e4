// Twilio SendGrid: the username is the literal word `apikey`, the password an API key with
// the Mail Send permission.
import type { Preset } from './preset.ts';

export const sendgrid: Preset = {
  id: 'sendgrid',
  name: 'SendGrid',
  mark: { initials: 'SG', color: '#1A82E2' },
  host: 'smtp.sendgrid.net',
  port: 587,
  security: 'starttls',
  alternatives: [
    { port: 465, security: 'tls' },
    { port: 2525, security: 'starttls' },
    { port: 25, security: 'starttls' },
  ],
  usernameHint: {
    fr: 'Toujours le mot apikey, tel quel : ni le nom de votre compte, ni la clé elle-même.',
    en: 'Always the word apikey, as is: neither your account name nor the key itself.',
  },
  fixedUsername: 'apikey',
  passwordLabel: { fr: 'Clé d’API', en: 'API key' },
  limits: {
    // SendGrid meters volume by plan and bills or defers beyond it: no quota here. Up to 1,000
    // recipients per message over SMTP; no connection cap that matters at one organisation's
    // volume is published, so a modest pool.
    maxRecipientsPerMessage: 1000,
    maxConnections: 5,
    basis: {
      fr: 'SendGrid mesure le volume selon votre formule et répond par une erreur temporaire au-delà : Relais ne fixe donc pas de quota. Jusqu’à 1 000 destinataires par message ; SendGrid ne publie pas de limite de connexions contraignante, Relais s’en tient à cinq.',
      en: 'SendGrid meters volume by plan and answers with a temporary error beyond it, so Relais sets no quota. Up to 1,000 recipients per message; SendGrid publishes no binding connection limit, Relais keeps to five.',
    },
  },
  guide: {
    fr: [
      'Dans SendGrid, ouvrez Settings › Sender Authentication et authentifiez votre domaine en publiant les enregistrements DNS indiqués (recommandé), ou vérifiez l’adresse d’expédition seule (Single Sender Verification).',
      'Ouvrez Settings › API Keys, cliquez sur Create API Key, nommez la clé « Relais », choisissez Restricted Access et donnez l’accès complet à Mail Send.',
      'Cliquez sur Create & View et copiez la clé (elle commence par SG.). SendGrid ne l’affiche qu’une seule fois.',
      'Dans Relais, l’identifiant apikey est déjà rempli : collez la clé comme mot de passe et choisissez une adresse d’expédition authentifiée.',
      'Lancez la vérification.',
    ],
    en: [
      'In SendGrid, open Settings › Sender Authentication and authenticate your domain by publishing the DNS records shown (recommended), or verify the sender address alone (Single Sender Verification).',
      'Open Settings › API Keys, click Create API Key, name the key “Relais”, choose Restricted Access and give full access to Mail Send.',
      'Click Create & View and copy the key (it starts with SG.). SendGrid shows it only once.',
      'In Relais, the username apikey is already filled in: paste the key as the password and choose an authenticated sender address.',
      'Run the check.',
    ],
  },
  docsUrl: 'https://www.twilio.com/docs/sendgrid/for-developers/sending-email/integrating-with-the-smtp-api',
};
