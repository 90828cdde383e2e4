// Explanations for one message or one recipient refused, while the relay itself works.
import type { Explanation } from './explanation.ts';

export const deliveryExplanations = {
  'recipient-unknown': {
    title: { fr: 'Destinataire inconnu', en: 'Unknown recipient' },
    cause: {
      fr: 'L’adresse du destinataire n’existe pas sur le serveur de destination, ou elle est mal formée.',
      en: 'The recipient’s address does not exist on the destination server, or it is malformed.',
    },
    fix: {
      fr: [
        'Vérifiez l’orthographe de l’adresse du destinataire.',
        'Corrigez l’adresse sur la plateforme, puis renvoyez le message.',
      ],
      en: ['Check the spelling of the recipient’s address.', 'Correct the address on the platform, then send the message again.'],
    },
  },

  'mailbox-full': {
    title: { fr: 'Boîte du destinataire pleine', en: 'Recipient’s mailbox is full' },
    cause: {
      fr: 'La boîte aux lettres du destinataire est pleine et n’accepte plus de messages.',
      en: 'The recipient’s mailbox is full and no longer accepts messages.',
    },
    fix: {
      fr: [
        'Prévenez le destinataire par un autre moyen que sa boîte est pleine.',
        'Renvoyez le message une fois qu’il a fait de la place.',
      ],
      en: [
        'Let the recipient know by another means that their mailbox is full.',
        'Send the message again once they have made room.',
      ],
    },
  },

  'recipient-rejected': {
    title: { fr: 'Destinataire refusé', en: 'Recipient refused' },
    cause: {
      fr: 'Le serveur refuse ce destinataire pour une autre raison qu’une adresse inconnue : adresse bloquée, boîte désactivée ou règle du domaine de destination. La réponse du serveur ci-dessous en donne la raison.',
      en: 'The server refuses this recipient for a reason other than an unknown address: blocked address, disabled mailbox or a rule of the destination domain. The server’s reply below gives the reason.',
    },
    fix: {
      fr: [
        'Lisez la réponse du serveur ci-dessous.',
        'Vérifiez l’adresse avec le destinataire par un autre moyen, puis renvoyez le message.',
      ],
      en: ['Read the server’s reply below.', 'Check the address with the recipient by another means, then send the message again.'],
    },
  },

  'message-too-large': {
    title: { fr: 'Message trop volumineux', en: 'Message too large' },
    cause: {
      fr: 'Le serveur refuse le message parce qu’il est trop volumineux, pièces jointes comprises. Les pièces jointes grossissent d’environ un tiers une fois encodées pour l’e-mail.',
      en: 'The server refuses the message because it is too large, attachments included. Attachments grow by about a third once encoded for email.',
    },
    fix: {
      fr: [
        'Réduisez la taille des pièces jointes : compressez-les, ou envoyez plutôt un lien de téléchargement.',
        'Renvoyez le message.',
      ],
      en: ['Reduce the size of the attachments: compress them, or send a download link instead.', 'Send the message again.'],
    },
    byPreset: {
      gmail: {
        fix: {
          fr: [
            'Réduisez le message sous 25 Mo, pièces jointes encodées comprises, ou envoyez un lien de téléchargement à la place.',
            'Renvoyez le message.',
          ],
          en: [
            'Keep the message under 25 MB, encoded attachments included, or send a download link instead.',
            'Send the message again.',
          ],
        },
      },
      'google-workspace': {
        fix: {
          fr: [
            'Réduisez le message sous 25 Mo, pièces jointes encodées comprises, ou envoyez un lien de téléchargement à la place.',
            'Renvoyez le message.',
          ],
          en: [
            'Keep the message under 25 MB, encoded attachments included, or send a download link instead.',
            'Send the message again.',
          ],
        },
      },
    },
  },

  'message-rejected': {
    title: { fr: 'Message refusé par le serveur', en: 'Message refused by the server' },
    cause: {
      fr: 'Le serveur refuse ce message, le plus souvent parce que son contenu ressemble à du spam ou qu’un type de pièce jointe est bloqué. La réponse du serveur ci-dessous en donne la raison.',
      en: 'The server refuses this message, most often because its content looks like spam or an attachment type is blocked. The server’s reply below gives the reason.',
    },
    fix: {
      fr: [
        'Lisez la réponse du serveur ci-dessous pour connaître la raison exacte.',
        'Vérifiez le contenu : liens vers des sites inconnus, pièces jointes bloquées (.exe, archives contenant des scripts…), objet ou texte qui ressemble à du spam.',
        'Vérifiez que votre domaine a des enregistrements SPF, DKIM et DMARC qui autorisent ce serveur.',
        'Corrigez le contenu, puis renvoyez le message.',
      ],
      en: [
        'Read the server’s reply below for the exact reason.',
        'Check the content: links to unknown sites, blocked attachments (.exe, archives containing scripts…), a subject or text that looks like spam.',
        'Check that your domain has SPF, DKIM and DMARC records that authorize this server.',
        'Fix the content, then send the message again.',
      ],
    },
  },
} satisfies Record<string, Explanation>;
