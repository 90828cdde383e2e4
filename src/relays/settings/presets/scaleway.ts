// Scaleway Transactional Email: the username is the Project ID and the password the secret
// key of an IAM API key allowed to send. Encryption is mandatory on every port.
import type { Preset } from './preset.ts';

export const scaleway: Preset = {
  id: 'scaleway',
  name: 'Scaleway',
  mark: { initials: 'SW', color: '#4F0599' },
  host: 'smtp.tem.scaleway.com',
  port: 587,
  security: 'starttls',
  // Scaleway also listens on 2587 and 2465, which Relais's default port policy does not allow.
  alternatives: [
    { port: 465, security: 'tls' },
    { port: 25, security: 'starttls' },
  ],
  usernameHint: {
    fr: 'L’identifiant (ID) du projet Scaleway qui contient votre domaine Transactional Email (un UUID comme 1a2b3c4d-5e6f-…).',
    en: 'The ID of the Scaleway Project that holds your Transactional Email domain (a UUID such as 1a2b3c4d-5e6f-…).',
  },
  passwordLabel: { fr: 'Clé secrète d’API', en: 'API secret key' },
  limits: {
    // Scaleway sets quotas per organisation and raises them case by case with sending
    // history; it enforces them itself. No connection limit is published.
    maxConnections: 5,
    basis: {
      fr: 'Scaleway fixe les quotas par organisation et les relève au cas par cas selon votre historique d’envoi ; une nouvelle organisation démarre avec des limites plus strictes. Scaleway les applique lui-même : Relais ne fixe donc pas de quota et s’en tient à cinq connexions.',
      en: 'Scaleway sets quotas per organisation and raises them case by case with your sending history; a new organisation starts with stricter limits. Scaleway enforces them itself, so Relais sets no quota and keeps to five connections.',
    },
  },
  guide: {
    fr: [
      'Dans la console Scaleway, ouvrez Transactional Email, ajoutez votre domaine et publiez les enregistrements SPF, DKIM et MX indiqués jusqu’à ce que le domaine soit vérifié.',
      'Ouvrez IAM › Applications, créez une application (par exemple « Relais ») et une politique qui lui accorde l’envoi d’e-mails transactionnels sur le projet de votre domaine (par exemple l’ensemble de permissions TransactionalEmailFullAccess).',
      'Dans l’onglet Clés API de l’application, générez une clé API et copiez la clé secrète, affichée une seule fois.',
      'Copiez l’ID du projet depuis les paramètres du projet.',
      'Dans Relais, saisissez l’ID du projet comme identifiant et la clé secrète comme mot de passe, et envoyez depuis une adresse du domaine vérifié.',
      'Lancez la vérification.',
    ],
    en: [
      'In the Scaleway console, open Transactional Email, add your domain and publish the SPF, DKIM and MX records shown until the domain is verified.',
      'Open IAM › Applications, create an application (e.g. “Relais”) and a policy that lets it send transactional email in your domain’s Project (for instance the TransactionalEmailFullAccess permission set).',
      'On the application’s API keys tab, generate an API key and copy the secret key, shown only once.',
      'Copy the Project ID from the Project’s settings.',
      'In Relais, enter the Project ID as the username and the secret key as the password, and send from an address on the verified domain.',
      'Run the check.',
    ],
  },
};
