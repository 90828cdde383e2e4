// Explanations for a relay that signs Relais in but will not send for this sender or client.
import type { Explanation } from './explanation.ts';

const RUN_CHECK_AGAIN = { fr: 'Enregistrez, puis relancez la vérification.', en: 'Save, then run the check again.' };
const CHECK_AGAIN = { fr: 'Relancez ensuite la vérification.', en: 'Then run the check again.' };

export const senderExplanations = {
  'send-as-denied': {
    title: { fr: 'Ce compte ne peut pas envoyer avec cette adresse', en: 'This account may not send as this address' },
    cause: {
      fr: 'Le serveur accepte la connexion mais refuse d’envoyer avec cette adresse d’expéditeur : le compte utilisé pour se connecter n’a pas le droit de l’utiliser.',
      en: 'The server accepts the sign-in but refuses to send with this sender address: the account used to sign in is not allowed to use it.',
    },
    fix: {
      fr: [
        'Vérifiez l’adresse d’expéditeur dans les réglages SMTP : ce doit être l’adresse du compte connecté, ou l’un de ses alias.',
        'Pour envoyer avec une autre adresse, donnez au compte le droit de l’utiliser chez votre fournisseur (alias, boîte partagée avec « Envoyer en tant que », expéditeur vérifié).',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the sender address in the SMTP settings: it must be the signed-in account’s address, or one of its aliases.',
        'To send with another address, give the account the right to use it at your provider (alias, shared mailbox with “Send as”, verified sender).',
        RUN_CHECK_AGAIN.en,
      ],
    },
    byPreset: {
      'microsoft-365': {
        cause: {
          fr: 'Microsoft 365 refuse d’envoyer avec cette adresse : la boîte connectée n’a pas l’autorisation « Envoyer en tant que » sur la boîte de l’expéditeur.',
          en: 'Microsoft 365 refuses to send as this address: the signed-in mailbox has no “Send as” permission on the sender’s mailbox.',
        },
        fix: {
          fr: [
            'Utilisez comme expéditeur l’adresse de la boîte connectée, ou l’un de ses alias.',
            'Sinon, demandez à un administrateur d’accorder au compte connecté l’autorisation « Envoyer en tant que » (Centre d’administration Exchange → Destinataires → Boîtes aux lettres → la boîte de l’expéditeur → Délégation).',
            'L’autorisation peut prendre jusqu’à une heure pour s’appliquer : relancez ensuite la vérification.',
          ],
          en: [
            'Use as sender the signed-in mailbox’s address, or one of its aliases.',
            'Otherwise, ask an administrator to grant the signed-in account “Send as” permission (Exchange admin center → Recipients → Mailboxes → the sender’s mailbox → Delegation).',
            'The permission can take up to an hour to apply: then run the check again.',
          ],
        },
      },
      sendgrid: {
        cause: {
          fr: 'SendGrid n’envoie qu’avec une identité d’expéditeur vérifiée : un expéditeur unique vérifié ou un domaine authentifié.',
          en: 'SendGrid only sends from a verified sender identity: a verified single sender or an authenticated domain.',
        },
        fix: {
          fr: [
            'Dans SendGrid, ouvrez Settings → Sender Authentication.',
            'Authentifiez votre domaine (recommandé : ajoutez les enregistrements DNS indiqués) ou vérifiez cette adresse d’expéditeur.',
            CHECK_AGAIN.fr,
          ],
          en: [
            'In SendGrid, open Settings → Sender Authentication.',
            'Authenticate your domain (recommended: add the DNS records shown) or verify this sender address.',
            CHECK_AGAIN.en,
          ],
        },
      },
      'amazon-ses': {
        cause: {
          fr: 'Amazon SES n’envoie qu’avec des identités vérifiées ; tant que le compte est dans le bac à sable (sandbox), les destinataires doivent aussi être vérifiés.',
          en: 'Amazon SES only sends from verified identities; while the account is in the sandbox, recipients must be verified too.',
        },
        fix: {
          fr: [
            'Dans la console Amazon SES, dans la même région que le serveur SMTP, ouvrez Verified identities.',
            'Vérifiez le domaine de l’expéditeur (recommandé) ou l’adresse d’expéditeur.',
            'Si le compte est encore dans le bac à sable, demandez l’accès production (Account dashboard), ou vérifiez aussi les adresses des destinataires.',
            CHECK_AGAIN.fr,
          ],
          en: [
            'In the Amazon SES console, in the same region as the SMTP host, open Verified identities.',
            'Verify the sender’s domain (recommended) or the sender address.',
            'If the account is still in the sandbox, request production access (Account dashboard), or verify the recipient addresses too.',
            CHECK_AGAIN.en,
          ],
        },
      },
      mailgun: {
        cause: {
          fr: 'Mailgun n’envoie qu’avec un domaine ajouté et vérifié dans le compte ; un domaine « sandbox » n’envoie qu’aux destinataires autorisés.',
          en: 'Mailgun only sends from a domain added and verified in the account; a sandbox domain only sends to authorized recipients.',
        },
        fix: {
          fr: [
            'Dans Mailgun, ouvrez Send → Domains et ajoutez le domaine de l’adresse d’expéditeur.',
            'Ajoutez les enregistrements DNS indiqués, attendez la vérification, et utilisez les identifiants SMTP de ce domaine.',
            CHECK_AGAIN.fr,
          ],
          en: [
            'In Mailgun, open Send → Domains and add the domain of the sender address.',
            'Add the DNS records shown, wait for the verification, and use this domain’s SMTP credentials.',
            CHECK_AGAIN.en,
          ],
        },
      },
      brevo: {
        cause: {
          fr: 'Brevo n’envoie qu’avec des expéditeurs ou des domaines validés dans le compte.',
          en: 'Brevo only sends from senders or domains validated in the account.',
        },
        fix: {
          fr: [
            'Dans Brevo, ouvrez Expéditeurs, domaines et IP dédiées.',
            'Ajoutez et validez l’adresse d’expéditeur, ou authentifiez tout le domaine.',
            CHECK_AGAIN.fr,
          ],
          en: [
            'In Brevo, open Senders, Domains & Dedicated IPs.',
            'Add and validate the sender address, or authenticate the whole domain.',
            CHECK_AGAIN.en,
          ],
        },
      },
      mailjet: {
        cause: {
          fr: 'Mailjet n’envoie qu’avec des adresses ou des domaines d’expéditeur validés dans le compte.',
          en: 'Mailjet only sends from sender addresses or domains validated in the account.',
        },
        fix: {
          fr: [
            'Dans Mailjet, ouvrez Paramètres du compte → Adresses et domaines d’expéditeur.',
            'Ajoutez et validez l’adresse d’expéditeur, ou le domaine entier.',
            CHECK_AGAIN.fr,
          ],
          en: [
            'In Mailjet, open Account settings → Sender addresses & domains.',
            'Add and validate the sender address, or the whole domain.',
            CHECK_AGAIN.en,
          ],
        },
      },
      postmark: {
        cause: {
          fr: 'Postmark n’envoie qu’avec une signature d’expéditeur confirmée ou un domaine vérifié.',
          en: 'Postmark only sends from a confirmed sender signature or a verified domain.',
        },
        fix: {
          fr: [
            'Dans Postmark, ouvrez Sender Signatures.',
            'Ajoutez l’adresse d’expéditeur (et confirmez l’e-mail reçu) ou vérifiez le domaine avec les enregistrements DNS indiqués.',
            CHECK_AGAIN.fr,
          ],
          en: [
            'In Postmark, open Sender Signatures.',
            'Add the sender address (and confirm the email you receive) or verify the domain with the DNS records shown.',
            CHECK_AGAIN.en,
          ],
        },
      },
      zoho: {
        cause: {
          fr: 'Zoho n’envoie qu’avec l’adresse du compte ou une adresse ajoutée dans « Envoyer en tant que ».',
          en: 'Zoho only sends from the account’s address or an address added under “Send mail as”.',
        },
        fix: {
          fr: [
            'Dans Zoho Mail, ouvrez Paramètres → Comptes de messagerie → Envoyer en tant que.',
            'Ajoutez l’adresse d’expéditeur et confirmez-la.',
            CHECK_AGAIN.fr,
          ],
          en: [
            'In Zoho Mail, open Settings → Mail Accounts → Send mail as.',
            'Add the sender address and confirm it.',
            CHECK_AGAIN.en,
          ],
        },
      },
    },
  },

  'relaying-denied': {
    title: { fr: 'Le serveur refuse de relayer le message', en: 'The server refuses to relay the message' },
    cause: {
      fr: 'Le serveur refuse de transmettre le message à ce destinataire : il ne relaie que pour les expéditeurs authentifiés, ou seulement vers ses propres domaines.',
      en: 'The server refuses to pass the message on to this recipient: it only relays for authenticated senders, or only to its own domains.',
    },
    fix: {
      fr: [
        'Activez l’authentification dans les réglages SMTP et saisissez l’identifiant et le mot de passe du compte d’envoi.',
        'Vérifiez le serveur : utilisez le serveur d’envoi du fournisseur, pas le serveur MX de votre domaine.',
        'Si votre relais n’accepte que des adresses IP connues, faites ajouter les adresses IP d’envoi de Relais à sa liste autorisée.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Turn on authentication in the SMTP settings and enter the username and password of the sending account.',
        'Check the host: use the provider’s sending server, not your domain’s MX server.',
        'If your relay only accepts known IP addresses, have Relais’s sending IP addresses added to its allow list.',
        RUN_CHECK_AGAIN.en,
      ],
    },
    byPreset: {
      'google-workspace': {
        cause: {
          fr: 'Le service de relais SMTP de Google refuse de relayer pour Relais : il n’accepte que les adresses IP ou l’authentification SMTP configurées dans la console d’administration.',
          en: 'Google’s SMTP relay service refuses to relay for Relais: it only accepts the IP addresses or the SMTP authentication set in the Admin console.',
        },
        fix: {
          fr: [
            'Dans la console d’administration Google, ouvrez Applications → Google Workspace → Gmail → Routage → Service de relais SMTP.',
            'Modifiez la règle : cochez « Exiger l’authentification SMTP » (et connectez-vous avec un compte Workspace dans Relais), ou ajoutez les adresses IP d’envoi de Relais.',
            'Cochez « Exiger le chiffrement TLS », enregistrez, attendez quelques minutes, puis relancez la vérification.',
          ],
          en: [
            'In the Google Admin console, open Apps → Google Workspace → Gmail → Routing → SMTP relay service.',
            'Edit the rule: tick “Require SMTP Authentication” (and sign in with a Workspace account in Relais), or add Relais’s sending IP addresses.',
            'Tick “Require TLS encryption”, save, wait a few minutes, then run the check again.',
          ],
        },
      },
      'microsoft-365': {
        cause: {
          fr: 'Microsoft 365 refuse de relayer : la connexion n’est pas authentifiée, ou elle arrive sur le serveur MX de votre domaine (…mail.protection.outlook.com), qui n’accepte que le courrier destiné à vos domaines.',
          en: 'Microsoft 365 refuses to relay: the connection is not authenticated, or it reaches your domain’s MX endpoint (…mail.protection.outlook.com), which only accepts mail for your own domains.',
        },
        fix: {
          fr: [
            'Utilisez le serveur smtp.office365.com, port 587, STARTTLS, et connectez-vous avec la boîte d’envoi.',
            'Si vous utilisez volontairement le serveur MX, l’administrateur doit créer dans le Centre d’administration Exchange un connecteur entrant qui accepte les adresses IP d’envoi de Relais.',
            RUN_CHECK_AGAIN.fr,
          ],
          en: [
            'Use host smtp.office365.com, port 587, STARTTLS, and sign in with the sending mailbox.',
            'If you deliberately use the MX endpoint, the administrator must create an inbound connector in the Exchange admin center that accepts Relais’s sending IP addresses.',
            RUN_CHECK_AGAIN.en,
          ],
        },
      },
    },
  },

  'sender-rejected': {
    title: { fr: 'Adresse d’expéditeur refusée', en: 'Sender address rejected' },
    cause: {
      fr: 'Le serveur refuse l’adresse d’expéditeur : domaine inconnu, adresse invalide, ou adresse non autorisée sur ce serveur.',
      en: 'The server rejects the sender address: unknown domain, invalid address, or an address not allowed on this server.',
    },
    fix: {
      fr: [
        'Vérifiez l’orthographe de l’adresse d’expéditeur dans les réglages SMTP.',
        'Vérifiez que le domaine de cette adresse existe et qu’il est configuré chez votre fournisseur.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the spelling of the sender address in the SMTP settings.',
        'Check that the domain of this address exists and is set up with your provider.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'client-not-allowed': {
    title: { fr: 'Le serveur refuse les connexions de Relais', en: 'The server refuses connections from Relais' },
    cause: {
      fr: 'Le serveur a refusé la session de Relais elle-même, avant tout message : il n’accepte que certains réseaux, ou il bloque l’adresse IP de Relais.',
      en: 'The server refused Relais’s session itself, before any message: it only accepts certain networks, or it blocks Relais’s IP address.',
    },
    fix: {
      fr: [
        'Vérifiez le serveur : utilisez le serveur d’envoi prévu pour les applications (soumission SMTP) de votre fournisseur.',
        'Si le serveur filtre par adresse IP, demandez à son administrateur d’autoriser les adresses IP d’envoi de Relais.',
        CHECK_AGAIN.fr,
      ],
      en: [
        'Check the host: use your provider’s sending server meant for applications (SMTP submission).',
        'If the server filters by IP address, ask its administrator to allow Relais’s sending IP addresses.',
        CHECK_AGAIN.en,
      ],
    },
  },
} satisfies Record<string, Explanation>;
