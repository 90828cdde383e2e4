// Mailjet: the API key is the SMTP username and its secret key the password.
import type { Preset } from './preset.ts';

export const mailjet: Preset = {
  id: 'mailjet',
  name: 'Mailjet',
  mark: { initials: 'MJ', color: '#9585F4' },
  host: 'in-v3.mailjet.com',
  port: 587,
  security: 'starttls',
  alternatives: [
    { port: 465, security: 'tls' },
    { port: 2525, security: 'starttls' },
    { port: 25, security: 'starttls' },
  ],
  usernameHint: {
    fr: 'Votre clé d’API Mailjet (la clé publique, 32 caractères).',
    en: 'Your Mailjet API key (the public key, 32 characters).',
  },
  passwordLabel: { fr: 'Clé secrète', en: 'Secret key' },
  limits: {
    // Volume is metered by plan (free plan: 200 emails a day, 6,000 a month); no connection
    // limit is published.
    maxConnections: 5,
    basis: {
      fr: 'Mailjet mesure le volume selon votre formule (la formule gratuite envoie 200 e-mails par jour et 6 000 par mois) et refuse les messages au-delà : Relais ne fixe donc pas de quota. Mailjet ne publie pas de limite de connexions ; Relais s’en tient à cinq.',
      en: 'Mailjet meters volume by plan (the free plan sends 200 emails a day and 6,000 a month) and refuses messages beyond it, so Relais sets no quota. Mailjet publishes no connection limit; Relais keeps to five.',
    },
  },
  guide: {
    fr: [
      'Dans Mailjet, ouvrez Paramètres du compte › Adresses et domaines d’expéditeur, ajoutez votre domaine (puis publiez les enregistrements SPF et DKIM indiqués) ou votre adresse d’expédition, et validez-le.',
      'Ouvrez Paramètres du compte › Gestion des clés API (principale et sous-comptes) et copiez la clé API.',
      'Copiez la clé secrète voisine. Si elle est masquée ou perdue, régénérez-la ; les applications qui utilisaient l’ancienne cessent alors de fonctionner.',
      'Dans Relais, saisissez la clé API comme identifiant et la clé secrète comme mot de passe.',
      'Lancez la vérification.',
    ],
    en: [
      'In Mailjet, open Account settings › Sender addresses & domains, add your domain (then publish the SPF and DKIM records shown) or your sender address, and validate it.',
      'Open Account settings › API Key Management (Primary and Sub-account) and copy the API key.',
      'Copy the secret key next to it. If it is hidden or lost, regenerate it; applications using the old one then stop working.',
      'In Relais, enter the API key as the username and the secret key as the password.',
      'Run the check.',
    ],
  },
};
