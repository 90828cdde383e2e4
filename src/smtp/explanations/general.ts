// Explanations for limits, passing trouble, and replies no other entry covers.
import type { Explanation } from './explanation.ts';

export const generalExplanations = {
  'rate-limited': {
    title: { fr: 'Trop de messages d’un coup', en: 'Too many messages at once' },
    cause: {
      fr: 'Le serveur limite le nombre de messages que ce compte peut envoyer en peu de temps. Relais ralentit et réessaie automatiquement.',
      en: 'The server limits how many messages this account may send in a short time. Relais slows down and retries automatically.',
    },
    fix: {
      fr: [
        'Rien à faire pour une limite ponctuelle : les messages sont renvoyés automatiquement.',
        'Si cela arrive souvent, vérifiez les limites d’envoi de votre offre auprès du fournisseur et demandez-en une plus élevée si besoin.',
      ],
      en: [
        'Nothing to do for an occasional limit: the messages are retried automatically.',
        'If it happens often, check your plan’s sending limits with the provider and ask for a higher one if needed.',
      ],
    },
    byPreset: {
      'microsoft-365': {
        cause: {
          fr: 'Microsoft 365 limite l’envoi à 30 messages par minute et 10 000 destinataires par jour pour une boîte aux lettres. Relais ralentit et réessaie automatiquement.',
          en: 'Microsoft 365 limits sending to 30 messages a minute and 10,000 recipients a day per mailbox. Relais slows down and retries automatically.',
        },
      },
    },
  },

  'daily-quota-exceeded': {
    title: { fr: 'Quota d’envoi quotidien atteint', en: 'Daily sending quota reached' },
    cause: {
      fr: 'Le compte a atteint son quota d’envoi quotidien. Le fournisseur acceptera de nouveau des messages quand le quota se renouvellera, dans les 24 heures ; Relais réessaiera d’ici là.',
      en: 'The account has reached its daily sending quota. The provider will accept messages again when the quota renews, within 24 hours; Relais retries until then.',
    },
    fix: {
      fr: [
        'Attendez le renouvellement du quota : Relais réessaie.',
        'Si vous envoyez régulièrement ce volume, passez à une offre ou à un service au quota plus élevé (un service d’e-mail transactionnel par exemple).',
      ],
      en: [
        'Wait for the quota to renew: Relais retries.',
        'If you send this volume regularly, move to a plan or service with a higher quota (a transactional email service, for example).',
      ],
    },
    byPreset: {
      gmail: {
        cause: {
          fr: 'Le compte Gmail a atteint sa limite quotidienne (environ 500 destinataires par jour pour un compte personnel). Elle se renouvelle sur 24 heures glissantes ; Relais réessaiera d’ici là.',
          en: 'The Gmail account has reached its daily limit (about 500 recipients a day for a personal account). It renews over a rolling 24 hours; Relais retries until then.',
        },
      },
      'google-workspace': {
        cause: {
          fr: 'Le compte Google Workspace a atteint sa limite quotidienne (2 000 messages par jour et par utilisateur). Elle se renouvelle sur 24 heures glissantes ; Relais réessaiera d’ici là.',
          en: 'The Google Workspace account has reached its daily limit (2,000 messages a day per user). It renews over a rolling 24 hours; Relais retries until then.',
        },
      },
      'microsoft-365': {
        cause: {
          fr: 'La boîte Microsoft 365 a atteint sa limite de 10 000 destinataires par jour. Elle se renouvelle sur 24 heures glissantes ; Relais réessaiera d’ici là.',
          en: 'The Microsoft 365 mailbox has reached its limit of 10,000 recipients a day. It renews over a rolling 24 hours; Relais retries until then.',
        },
      },
    },
  },

  'temporary-failure': {
    title: { fr: 'Problème temporaire du serveur', en: 'Temporary server problem' },
    cause: {
      fr: 'Le serveur signale un problème passager (surcharge, maintenance, espace disque…). Relais réessaie automatiquement, à intervalles croissants.',
      en: 'The server reports a passing problem (overload, maintenance, disk space…). Relais retries automatically, at growing intervals.',
    },
    fix: {
      fr: [
        'Rien à faire : le message sera renvoyé automatiquement.',
        'Si cela dure plus de quelques heures, contactez l’administrateur du serveur en lui transmettant la réponse ci-dessous.',
      ],
      en: [
        'Nothing to do: the message will be retried automatically.',
        'If it lasts more than a few hours, contact the server’s administrator with the reply below.',
      ],
    },
  },

  'unexpected-reply': {
    title: { fr: 'Réponse inattendue du serveur', en: 'Unexpected reply from the server' },
    cause: {
      fr: 'Le serveur a répondu d’une manière que Relais ne sait pas interpréter. Sa réponse, quand il y en a une, figure ci-dessous.',
      en: 'The server answered in a way Relais cannot interpret. Its reply, when there is one, is shown below.',
    },
    fix: {
      fr: [
        'Lisez la réponse du serveur ci-dessous.',
        'Vérifiez les réglages SMTP : serveur, port, sécurité et identifiant.',
        'Si le problème persiste, contactez le support de votre fournisseur en lui transmettant cette réponse.',
      ],
      en: [
        'Read the server’s reply below.',
        'Check the SMTP settings: host, port, security and username.',
        'If the problem persists, contact your provider’s support with this reply.',
      ],
    },
  },
} satisfies Record<string, Explanation>;
