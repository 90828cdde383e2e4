/**
 * Explanations the flight check raises by itself, next to the catalog's (explanations.ts):
 * settings refused before any connection is opened, and warnings about a connection that
 * works but is weaker than it should be. The catalog holds only what the reply
 * classification table can produce from a failure; these come from the check's own
 * observations, so they live here, in the catalog's shape and languages.
 */
import type { Locale, PresetId } from '../../glossary.ts';
import { explainById } from '../explanations.ts';
import type { ExplainedFailure, Explanation, ExplanationId } from '../explanations.ts';
import { sanitizeServerText } from '../failure.ts';
import type { SmtpFailure } from '../failure.ts';

const RUN_CHECK_AGAIN = { fr: 'Enregistrez, puis relancez la vérification.', en: 'Save, then run the check again.' };

export const CHECK_EXPLANATIONS = {
  'host-invalid': {
    title: { fr: 'Nom de serveur invalide', en: 'Invalid server name' },
    cause: {
      fr: 'Le serveur SMTP saisi n’est pas un nom de serveur valide : il contient une adresse web (http://…), un port, un « @ », des espaces ou des caractères qu’un nom de serveur ne peut pas avoir.',
      en: 'The SMTP host entered is not a valid server name: it contains a web address (http://…), a port, an “@”, spaces or characters a host name cannot have.',
    },
    fix: {
      fr: [
        'Saisissez uniquement le nom du serveur, par exemple smtp.office365.com, sans « http:// », sans port et sans espace.',
        'Saisissez le port dans le champ Port, et l’identifiant dans les réglages d’authentification.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Enter only the server name, for example smtp.office365.com, with no “http://”, no port and no spaces.',
        'Enter the port in the Port field, and the username in the authentication settings.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'port-not-allowed': {
    title: { fr: 'Port non autorisé', en: 'Port not allowed' },
    cause: {
      fr: 'Relais ne se connecte aux serveurs d’envoi que sur les ports SMTP autorisés par la plateforme (en général 587, 465, 2525 et 25).',
      en: 'Relais only connects to sending servers on the SMTP ports the platform allows (usually 587, 465, 2525 and 25).',
    },
    fix: {
      fr: ['Utilisez le port 587 avec STARTTLS, ou 465 avec TLS, comme l’indique la documentation de votre fournisseur.', RUN_CHECK_AGAIN.fr],
      en: ['Use port 587 with STARTTLS, or 465 with TLS, as your provider’s documentation says.', RUN_CHECK_AGAIN.en],
    },
  },

  'address-not-allowed': {
    title: { fr: 'Adresse du serveur non autorisée', en: 'Server address not allowed' },
    cause: {
      fr: 'Ce serveur correspond à une adresse privée, locale ou réservée (réseau interne, machine locale…). Relais ne se connecte qu’à des serveurs joignables sur Internet.',
      en: 'This server points to a private, local or reserved address (an internal network, the local machine…). Relais only connects to servers reachable on the internet.',
    },
    fix: {
      fr: [
        'Utilisez le nom public du serveur d’envoi de votre fournisseur (par exemple smtp.gmail.com), pas une adresse de votre réseau interne.',
        'Si votre serveur n’est joignable que depuis votre réseau, rendez-le accessible sur Internet (avec TLS et authentification) ou passez par un service d’envoi.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Use the public name of your provider’s sending server (for example smtp.gmail.com), not an address of your internal network.',
        'If your server can only be reached from your network, make it reachable on the internet (with TLS and authentication) or use a sending service.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'starttls-not-offered': {
    title: { fr: 'Le serveur ne propose pas STARTTLS', en: 'The server does not offer STARTTLS' },
    cause: {
      fr: 'La sécurité choisie est STARTTLS, mais le serveur ne propose pas de passer en connexion chiffrée sur ce port. Soit ce port attend une autre sécurité, soit un équipement du réseau (pare-feu, antivirus) retire STARTTLS de la réponse du serveur.',
      en: 'STARTTLS security is selected, but the server does not offer to switch to an encrypted connection on this port. Either this port expects another security mode, or something on the network (firewall, antivirus) removes STARTTLS from the server’s answer.',
    },
    fix: {
      fr: [
        'Vérifiez le port et la sécurité dans la documentation de votre fournisseur : 587 avec STARTTLS, ou 465 avec TLS.',
        'Essayez le port 465 avec TLS : un équipement du réseau ne peut pas retirer le chiffrement d’une connexion TLS dès le premier octet.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the port and security in your provider’s documentation: 587 with STARTTLS, or 465 with TLS.',
        'Try port 465 with TLS: nothing on the network can remove the encryption of a connection that is TLS from the first byte.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-client-secret-expiring': {
    title: { fr: 'Le secret client expire bientôt', en: 'The client secret expires soon' },
    cause: {
      fr: 'La connexion de l’application fonctionne, mais son secret client expire dans moins de 30 jours : passé cette date, Microsoft ne délivrera plus de jeton et les e-mails ne partiront plus par ce serveur.',
      en: 'The application sign-in works, but its client secret expires in less than 30 days: after that date Microsoft issues no more tokens and emails stop leaving through this server.',
    },
    fix: {
      fr: [
        'Dans le centre d’administration Microsoft Entra, ouvrez Applications › Inscriptions d’applications › l’application › Certificats et secrets, et créez un nouveau secret client.',
        'Collez sa « Valeur » dans le champ Secret client de Relais et indiquez sa nouvelle date d’expiration.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'In the Microsoft Entra admin center, open Applications › App registrations › the application › Certificates & secrets, and create a new client secret.',
        'Paste its “Value” into Relais’s Client secret field and enter its new expiry date.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'starttls-not-used': {
    title: { fr: 'La connexion n’est pas chiffrée', en: 'The connection is not encrypted' },
    cause: {
      fr: 'Le serveur propose le chiffrement (STARTTLS), mais la sécurité choisie est « aucune » : le mot de passe et les messages circulent en clair et peuvent être lus sur le trajet.',
      en: 'The server offers encryption (STARTTLS), but the security is set to “none”: the password and the messages travel in clear text and can be read on the way.',
    },
    fix: {
      fr: ['Dans les réglages SMTP, choisissez la sécurité STARTTLS.', RUN_CHECK_AGAIN.fr],
      en: ['In the SMTP settings, choose STARTTLS security.', RUN_CHECK_AGAIN.en],
    },
  },

  'certificate-not-verified': {
    title: { fr: 'Certificat accepté sans vérification', en: 'Certificate accepted without verification' },
    cause: {
      fr: 'Le certificat du serveur n’est pas valide (auto-signé, expiré ou émis pour un autre nom), et il est accepté parce que les certificats auto-signés sont autorisés. L’envoi fonctionne, mais un tiers placé sur le trajet pourrait se faire passer pour le serveur et intercepter le mot de passe et les messages.',
      en: 'The server’s certificate is not valid (self-signed, expired or issued for another name), and it is accepted because self-signed certificates are allowed. Sending works, but someone on the way could pose as the server and intercept the password and the messages.',
    },
    fix: {
      fr: [
        'Demandez à l’administrateur du serveur un certificat d’une autorité reconnue (Let’s Encrypt, par exemple) pour ce nom de serveur.',
        'Désactivez ensuite l’option « Accepter les certificats auto-signés » et relancez la vérification.',
      ],
      en: [
        'Ask the server’s administrator for a certificate from a recognised authority (Let’s Encrypt, for example) for this host name.',
        'Then turn off “Accept self-signed certificates” and run the check again.',
      ],
    },
  },

  'greeting-host-unrelated': {
    title: { fr: 'Le serveur qui répond n’est peut-être pas le bon', en: 'The server answering may not be the right one' },
    cause: {
      fr: 'Le serveur s’est présenté sous un nom qui n’appartient pas au domaine configuré, ou avec un message masqué. Certains hébergeurs, pare-feux et antivirus interceptent les connexions SMTP sortantes et répondent à la place du vrai serveur : les messages peuvent alors être bloqués ou lus.',
      en: 'The server introduced itself with a name outside the configured domain, or with a masked message. Some hosting networks, firewalls and antivirus products intercept outgoing SMTP connections and answer in place of the real server: messages may then be blocked or read.',
    },
    fix: {
      fr: [
        'Vérifiez que le nom du serveur est bien celui indiqué par votre fournisseur.',
        'Si l’étape TLS réussit avec un certificat valide pour ce serveur, la connexion aboutit bien au bon serveur : vous pouvez ignorer cet avertissement.',
        'Sinon, essayez le port 465 avec TLS, qu’un intercepteur ne peut pas réécrire, ou demandez à votre hébergeur s’il filtre le trafic SMTP.',
      ],
      en: [
        'Check that the host name is the one your provider documents.',
        'If the TLS step passes with a valid certificate for this host, the connection does reach the right server: you can ignore this warning.',
        'Otherwise, try port 465 with TLS, which an interceptor cannot rewrite, or ask your hosting provider whether it filters SMTP traffic.',
      ],
    },
  },
} satisfies Record<string, Explanation>;

export type CheckExplanationId = keyof typeof CHECK_EXPLANATIONS;

/** Any explanation a step may carry. */
export type StepExplanationId = ExplanationId | CheckExplanationId;

/** An explanation as a step carries it: from the catalog or from the check's own entries. */
export type StepExplanation = Omit<ExplainedFailure, 'id'> & { id: StepExplanationId };

function isCheckExplanation(id: string): id is CheckExplanationId {
  return Object.hasOwn(CHECK_EXPLANATIONS, id);
}

/** Renders either kind of explanation in the owner's language, quoting the server's reply when given. */
export function explainStep(
  id: StepExplanationId,
  options: { locale: Locale; preset?: PresetId },
  failure?: Pick<SmtpFailure, 'code' | 'enhanced' | 'text'>,
): StepExplanation {
  if (!isCheckExplanation(id)) return explainById(id, options, failure);
  const entry: Explanation = CHECK_EXPLANATIONS[id];
  const variant = options.preset === undefined ? undefined : entry.byPreset?.[options.preset];
  const explained: StepExplanation = {
    id,
    title: entry.title[options.locale],
    cause: (variant?.cause ?? entry.cause)[options.locale],
    fix: [...(variant?.fix ?? entry.fix)[options.locale]],
  };
  const reply = failure === undefined ? undefined : sanitizeServerText(failure);
  if (reply !== undefined) explained.reply = reply;
  return explained;
}
