// Mailgun: SMTP credentials belong to a sending domain, and US and EU accounts live on
// separate infrastructure, so the owner must pick the server of their region.
import type { Preset } from './preset.ts';

export const mailgun: Preset = {
  id: 'mailgun',
  name: 'Mailgun',
  mark: { initials: 'MG', color: '#F06B66' },
  host: null,
  hostChoices: [
    { host: 'smtp.eu.mailgun.org', label: { fr: 'Région UE', en: 'EU region' } },
    { host: 'smtp.mailgun.org', label: { fr: 'Région États-Unis', en: 'US region' } },
  ],
  port: 587,
  security: 'starttls',
  alternatives: [
    { port: 465, security: 'tls' },
    { port: 2525, security: 'starttls' },
    { port: 25, security: 'starttls' },
  ],
  usernameHint: {
    fr: 'L’identifiant SMTP de votre domaine d’envoi, une adresse complète comme postmaster@mg.votre-domaine.fr.',
    en: 'The SMTP login of your sending domain, a full address such as postmaster@mg.your-domain.com.',
  },
  passwordLabel: { fr: 'Mot de passe SMTP', en: 'SMTP password' },
  limits: {
    // Volume is metered by plan; Mailgun accepts up to 1,000 recipients per message and
    // publishes no connection cap relevant at this scale.
    maxRecipientsPerMessage: 1000,
    maxConnections: 5,
    basis: {
      fr: 'Mailgun mesure le volume selon votre formule et répond par une erreur au-delà : Relais ne fixe donc pas de quota. Jusqu’à 1 000 destinataires par message ; Mailgun ne publie pas de limite de connexions, Relais s’en tient à cinq.',
      en: 'Mailgun meters volume by plan and answers with an error beyond it, so Relais sets no quota. Up to 1,000 recipients per message; Mailgun publishes no connection limit, Relais keeps to five.',
    },
  },
  guide: {
    fr: [
      'Repérez la région de votre domaine, indiquée à côté de son nom dans Mailgun : un domaine de la région UE utilise smtp.eu.mailgun.org, tous les autres smtp.mailgun.org.',
      'Dans Mailgun, ouvrez Send › Sending › Domain settings, choisissez votre domaine d’envoi et vérifiez que ses enregistrements DNS (SPF, DKIM) sont validés.',
      'Ouvrez l’onglet SMTP credentials de ce domaine. Copiez l’identifiant affiché (par exemple postmaster@mg.votre-domaine.fr) ou cliquez sur Add new SMTP user pour en créer un réservé à Relais.',
      'Cliquez sur Reset password (ou définissez le mot de passe du nouvel utilisateur) et copiez-le : Mailgun ne l’affiche qu’une seule fois.',
      'Dans Relais, choisissez le serveur de votre région, saisissez l’identifiant et le mot de passe, et envoyez depuis une adresse du domaine validé.',
      'Lancez la vérification.',
    ],
    en: [
      'Find your domain’s region, shown next to its name in Mailgun: a domain in the EU region uses smtp.eu.mailgun.org, all others smtp.mailgun.org.',
      'In Mailgun, open Send › Sending › Domain settings, choose your sending domain and make sure its DNS records (SPF, DKIM) are verified.',
      'Open the SMTP credentials tab of that domain. Copy the login shown (e.g. postmaster@mg.your-domain.com) or click Add new SMTP user to create one just for Relais.',
      'Click Reset password (or set the new user’s password) and copy it: Mailgun shows it only once.',
      'In Relais, choose the server of your region, enter the login and the password, and send from an address on the verified domain.',
      'Run the check.',
    ],
  },
  docsUrl: 'https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-smtp',
};
