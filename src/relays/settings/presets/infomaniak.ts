// Infomaniak: one server for every mailbox; the sending limit is counted per recipient over a
// sliding 24 hours.
import type { Preset } from './preset.ts';

export const infomaniak: Preset = {
  id: 'infomaniak',
  name: 'Infomaniak',
  mark: { initials: 'IK', color: '#0098FF' },
  host: 'mail.infomaniak.com',
  port: 465,
  security: 'tls',
  alternatives: [{ port: 587, security: 'starttls' }],
  usernameHint: {
    fr: 'L’adresse e-mail complète, par exemple formation@votre-domaine.fr.',
    en: 'The full email address, e.g. training@your-domain.com.',
  },
  passwordLabel: { fr: 'Mot de passe de l’adresse e-mail', en: 'Email address password' },
  limits: {
    // Infomaniak "Understanding the 24-hour outgoing email limit": 500 on the Starter Mail
    // Service and free kSuite, 1,440 on most paid offers, counted per recipient on a sliding
    // window; 100 recipients per message on every offer. The lower figure, as the offer is
    // not known and going over blocks the address.
    recipientsPerDay: 500,
    maxRecipientsPerMessage: 100,
    maxConnections: 2,
    basis: {
      fr: 'Infomaniak compte chaque destinataire sur 24 heures glissantes : 500 pour le Service Mail Starter et kSuite gratuit, 1 440 pour la plupart des offres payantes. Relais s’en tient au chiffre le plus bas ; 100 destinataires par message.',
      en: 'Infomaniak counts every recipient over a sliding 24 hours: 500 on the Starter Mail Service and free kSuite, 1,440 on most paid offers. Relais keeps to the lower figure; 100 recipients per message.',
    },
  },
  guide: {
    fr: [
      'Dans le Manager Infomaniak, ouvrez Service Mail et sélectionnez le domaine de votre adresse d’envoi.',
      'Cliquez sur l’adresse (créez-la si besoin). Si vous ne connaissez pas son mot de passe, définissez-en un nouveau depuis cette page.',
      'Dans Relais, gardez mail.infomaniak.com avec le port 465 (SSL/TLS), saisissez l’adresse complète comme identifiant et son mot de passe.',
      'Lancez la vérification.',
    ],
    en: [
      'In the Infomaniak Manager, open Mail Service and select the domain of your sending address.',
      'Click the address (create it if needed). If you do not know its password, set a new one from this page.',
      'In Relais, keep mail.infomaniak.com with port 465 (SSL/TLS), enter the full address as the username and its password.',
      'Run the check.',
    ],
  },
};
