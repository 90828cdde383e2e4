// IONOS: the SMTP server follows the country site of the contract (smtp.ionos.fr,
// smtp.ionos.de…), so the owner picks it.
import type { Preset } from './preset.ts';

export const ionos: Preset = {
  id: 'ionos',
  name: 'IONOS',
  mark: { initials: 'IO', color: '#003D8F' },
  host: null,
  hostChoices: [
    { host: 'smtp.ionos.fr', label: { fr: 'IONOS France (ionos.fr)', en: 'IONOS France (ionos.fr)' } },
    { host: 'smtp.ionos.de', label: { fr: 'IONOS Allemagne (ionos.de)', en: 'IONOS Germany (ionos.de)' } },
    { host: 'smtp.ionos.es', label: { fr: 'IONOS Espagne (ionos.es)', en: 'IONOS Spain (ionos.es)' } },
    {
      host: 'smtp.ionos.co.uk',
      label: { fr: 'IONOS Royaume-Uni (ionos.co.uk)', en: 'IONOS United Kingdom (ionos.co.uk)' },
    },
    { host: 'smtp.ionos.com', label: { fr: 'IONOS États-Unis (ionos.com)', en: 'IONOS United States (ionos.com)' } },
  ],
  port: 587,
  security: 'starttls',
  alternatives: [{ port: 465, security: 'tls' }],
  usernameHint: {
    fr: 'L’adresse e-mail complète, par exemple formation@votre-domaine.fr.',
    en: 'The full email address, e.g. training@your-domain.com.',
  },
  passwordLabel: { fr: 'Mot de passe de l’adresse e-mail', en: 'Email address password' },
  limits: {
    // IONOS "What are the mass mailing limits": Mail Basic and Mail Business, 500 emails per
    // hour once the contract is over 30 days old (50, 100 and 400 during the first month).
    // Over the limit IONOS answers "450 Mail send limit exceeded", a temporary refusal that
    // Relais retries, so the established figure is used rather than the first week's.
    messagesPerHour: 500,
    maxConnections: 2,
    basis: {
      fr: 'IONOS limite les boîtes Mail Basic et Mail Business à 500 e-mails par heure une fois le contrat âgé d’un mois ; un contrat neuf démarre à 50 par heure la première semaine, puis 100 et 400. Au-delà, IONOS répond « 450 Mail send limit exceeded » et Relais réessaie plus tard.',
      en: 'IONOS limits Mail Basic and Mail Business mailboxes to 500 emails an hour once the contract is a month old; a new contract starts at 50 an hour in its first week, then 100 and 400. Beyond it, IONOS answers “450 Mail send limit exceeded” and Relais retries later.',
    },
  },
  guide: {
    fr: [
      'Connectez-vous à votre compte IONOS et ouvrez E-mail. Le site de votre contrat (ionos.fr, ionos.de…) donne le serveur : smtp.ionos.fr, smtp.ionos.de…',
      'Sélectionnez l’adresse d’envoi. Si vous ne connaissez pas son mot de passe, définissez-en un nouveau depuis cette page.',
      'Dans Relais, choisissez le serveur, gardez le port 587 (STARTTLS) ou prenez le 465 (SSL/TLS), puis saisissez l’adresse complète comme identifiant et son mot de passe.',
      'Lancez la vérification.',
    ],
    en: [
      'Sign in to your IONOS account and open Email. Your contract’s site (ionos.fr, ionos.de…) gives the server: smtp.ionos.fr, smtp.ionos.de…',
      'Select the sending address. If you do not know its password, set a new one from this page.',
      'In Relais, choose the server, keep port 587 (STARTTLS) or use 465 (SSL/TLS), then enter the full address as the username and its password.',
      'Run the check.',
    ],
  },
};
