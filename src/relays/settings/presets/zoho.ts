// Zoho Mail: one server per data centre, and paid organisation accounts use `smtppro`
// while personal and free accounts use `smtp`.
import type { Preset } from './preset.ts';

export const zoho: Preset = {
  id: 'zoho',
  name: 'Zoho Mail',
  mark: { initials: 'Z', color: '#E42527' },
  host: null,
  hostChoices: [
    {
      host: 'smtppro.zoho.eu',
      label: {
        fr: 'Europe : adresse d’organisation sur votre domaine (formule payante)',
        en: 'Europe: organisation address on your domain (paid plan)',
      },
    },
    {
      host: 'smtp.zoho.eu',
      label: { fr: 'Europe : compte personnel ou formule gratuite', en: 'Europe: personal account or free plan' },
    },
    {
      host: 'smtppro.zoho.com',
      label: {
        fr: 'États-Unis : adresse d’organisation sur votre domaine (formule payante)',
        en: 'United States: organisation address on your domain (paid plan)',
      },
    },
    {
      host: 'smtp.zoho.com',
      label: {
        fr: 'États-Unis : compte personnel ou formule gratuite',
        en: 'United States: personal account or free plan',
      },
    },
  ],
  port: 465,
  security: 'tls',
  alternatives: [{ port: 587, security: 'starttls' }],
  usernameHint: {
    fr: 'L’adresse e-mail complète, par exemple formation@votre-domaine.fr.',
    en: 'The full email address, e.g. training@your-domain.com.',
  },
  passwordLabel: {
    fr: 'Mot de passe, ou mot de passe d’application',
    en: 'Password, or application-specific password',
  },
  limits: {
    // Zoho applies per-plan, per-user daily limits that it shows to administrators but does
    // not publish as one figure, and suspends sending for a while when one is exceeded.
    maxConnections: 2,
    basis: {
      fr: 'Zoho applique des limites quotidiennes par formule et par utilisateur, visibles par l’administrateur, sans publier de chiffre unique : Relais ne fixe donc pas de quota et s’en tient à deux connexions. Zoho suspend l’envoi un moment quand une limite est dépassée.',
      en: 'Zoho applies daily limits per plan and per user, visible to the administrator, without publishing a single figure, so Relais sets no quota and keeps to two connections. Zoho suspends sending for a while when a limit is exceeded.',
    },
  },
  guide: {
    fr: [
      'Repérez votre centre de données à l’adresse où vous vous connectez : mail.zoho.eu pour l’Europe, mail.zoho.com pour les États-Unis. Les autres centres ont leur propre suffixe (zoho.in, zoho.com.au…) : saisissez alors le serveur vous-même dans Relais.',
      'Prenez smtppro pour une adresse d’organisation sur votre propre domaine avec une formule payante, smtp pour un compte personnel ou une formule gratuite.',
      'Si la validation en deux étapes est activée, créez un mot de passe d’application : accounts.zoho.eu (ou .com) › Sécurité › Mots de passe d’application › Générer un nouveau mot de passe, nommez-le « Relais » et copiez-le.',
      'Dans Relais, choisissez le serveur, gardez le port 465 (SSL/TLS), saisissez l’adresse complète comme identifiant et le mot de passe. L’expéditeur doit être cette adresse ou l’un de ses alias.',
      'Lancez la vérification.',
    ],
    en: [
      'Find your data centre from the address you sign in at: mail.zoho.eu for Europe, mail.zoho.com for the United States. Other data centres have their own suffix (zoho.in, zoho.com.au…): type the server yourself in Relais.',
      'Pick smtppro for an organisation address on your own domain with a paid plan, smtp for a personal account or a free plan.',
      'If two-factor authentication is on, create an application-specific password: accounts.zoho.eu (or .com) › Security › App Passwords › Generate New Password, name it “Relais” and copy it.',
      'In Relais, choose the server, keep port 465 (SSL/TLS), enter the full address as the username and the password. The sender must be this address or one of its aliases.',
      'Run the check.',
    ],
  },
  docsUrl: 'https://www.zoho.com/mail/help/zoho-smtp.html',
};
