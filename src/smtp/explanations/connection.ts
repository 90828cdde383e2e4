// Explanations for a server Relais cannot reach, or that stops answering.
import type { Explanation } from './explanation.ts';

const RUN_CHECK_AGAIN = { fr: 'Enregistrez, puis relancez la vérification.', en: 'Save, then run the check again.' };

export const connectionExplanations = {
  'host-not-found': {
    title: { fr: 'Serveur introuvable', en: 'Server not found' },
    cause: {
      fr: 'Ce nom de serveur n’existe pas dans le DNS : il est probablement mal orthographié.',
      en: 'This server name does not exist in DNS: it is probably misspelt.',
    },
    fix: {
      fr: [
        'Vérifiez l’orthographe du serveur (par exemple smtp.office365.com ou smtp.gmail.com), sans « http:// » ni espace.',
        'Copiez le nom du serveur SMTP depuis la documentation de votre fournisseur, ou choisissez le modèle correspondant.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the spelling of the host (for example smtp.office365.com or smtp.gmail.com), with no “http://” and no spaces.',
        'Copy the SMTP server name from your provider’s documentation, or pick the matching preset.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'connection-refused': {
    title: { fr: 'Connexion refusée', en: 'Connection refused' },
    cause: {
      fr: 'La machine du serveur a répondu mais a refusé la connexion sur ce port : aucun service d’envoi n’y écoute.',
      en: 'The server’s machine answered but refused the connection on this port: no mail service listens there.',
    },
    fix: {
      fr: [
        'Vérifiez le nom du serveur : ce doit être le serveur d’envoi SMTP de votre fournisseur.',
        'Vérifiez le port : 587 avec STARTTLS, ou 465 avec TLS, sont les plus courants.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the host name: it must be your provider’s outgoing SMTP server.',
        'Check the port: 587 with STARTTLS, or 465 with TLS, are the usual ones.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'connection-timeout': {
    title: { fr: 'Le serveur ne répond pas', en: 'The server does not answer' },
    cause: {
      fr: 'Relais n’a pas pu ouvrir de connexion avec le serveur : aucune réponse dans le délai. Le port est le plus souvent bloqué par un pare-feu, chez le serveur ou sur le réseau. Beaucoup d’hébergeurs bloquent les connexions sortantes sur le port 25, et parfois 587, pour lutter contre le spam.',
      en: 'Relais could not open a connection to the server: no answer in time. Most often the port is blocked by a firewall, at the server or on the network. Many hosting providers block outgoing connections on port 25, and sometimes 587, to fight spam.',
    },
    fix: {
      fr: [
        'Vérifiez le serveur et le port dans la documentation de votre fournisseur ; évitez le port 25, souvent bloqué.',
        'Essayez le port 465 avec TLS, ou 587 avec STARTTLS, ou 2525 si votre fournisseur le propose.',
        'Si le serveur n’accepte que des adresses IP connues, demandez à son administrateur d’autoriser les adresses IP d’envoi de Relais.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the host and port in your provider’s documentation; avoid port 25, which is often blocked.',
        'Try port 465 with TLS, or 587 with STARTTLS, or 2525 if your provider offers it.',
        'If the server only accepts known IP addresses, ask its administrator to allow Relais’s sending IP addresses.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'greeting-timeout': {
    title: { fr: 'Le serveur ne s’est pas présenté', en: 'The server never said hello' },
    cause: {
      fr: 'La connexion s’est ouverte mais le serveur n’a jamais envoyé son message d’accueil. Le plus souvent, le port 465 est utilisé sans TLS (le serveur attend le chiffrement), ou un équipement sur le trajet (pare-feu, antivirus) retient la connexion.',
      en: 'The connection opened but the server never sent its welcome message. Most often, port 465 is used without TLS (the server waits for encryption), or something on the way (firewall, antivirus) holds the connection.',
    },
    fix: {
      fr: [
        'Si le port est 465, choisissez la sécurité « TLS ».',
        'Sinon, vérifiez le serveur et le port, puis relancez la vérification ; si le problème persiste, contactez l’administrateur du serveur.',
      ],
      en: [
        'If the port is 465, choose “TLS” security.',
        'Otherwise, check the host and port, then run the check again; if the problem persists, contact the server’s administrator.',
      ],
    },
  },

  'relay-timeout': {
    title: { fr: 'Le serveur a mis trop de temps', en: 'The server took too long' },
    cause: {
      fr: 'Le serveur répondait, mais si lentement que l’envoi n’était pas terminé au bout du délai maximal qu’accorde Relais à un envoi. Relais a coupé la connexion pour ne pas retenir les autres messages. Un serveur surchargé, un filtrage qui ralentit volontairement les connexions (anti-spam) ou un équipement sur le trajet en sont les causes habituelles.',
      en: 'The server was answering, but so slowly that the send was not finished within the longest time Relais gives one send. Relais cut the connection so that other messages are not held up. An overloaded server, filtering that slows connections down on purpose (anti-spam) or something on the way are the usual causes.',
    },
    fix: {
      fr: [
        'Rien à faire si cela arrive une fois : Relais réessaie, et selon votre réglage le message part par l’expéditeur de la plateforme.',
        'Si cela se répète, consultez la page d’état de votre fournisseur ou demandez à l’administrateur du serveur pourquoi les connexions de Relais sont ralenties.',
      ],
      en: [
        'Nothing to do if it happens once: Relais retries, and depending on your setting the message leaves through the platform sender.',
        'If it keeps happening, check your provider’s status page or ask the server’s administrator why Relais’s connections are slowed down.',
      ],
    },
  },

  'connection-lost': {
    title: { fr: 'Connexion interrompue', en: 'Connection lost' },
    cause: {
      fr: 'La connexion avec le serveur a été coupée avant qu’il ne confirme le message. Relais réessaie automatiquement. Dans de rares cas, le serveur avait déjà accepté le message : un destinataire peut alors le recevoir deux fois.',
      en: 'The connection with the server was cut before it confirmed the message. Relais retries automatically. In rare cases the server had already accepted the message, so a recipient may receive it twice.',
    },
    fix: {
      fr: [
        'Rien à faire si cela arrive une fois : Relais réessaie.',
        'Si cela se répète, consultez la page d’état de votre fournisseur ou contactez l’administrateur du serveur.',
      ],
      en: [
        'Nothing to do if it happens once: Relais retries.',
        'If it keeps happening, check your provider’s status page or contact the server’s administrator.',
      ],
    },
  },

  'not-smtp-server': {
    title: { fr: 'Ce n’est pas un serveur d’envoi', en: 'This is not a mail-sending server' },
    cause: {
      fr: 'Un service répond à cette adresse et sur ce port, mais ce n’est pas un serveur SMTP (site web, serveur IMAP ou POP…).',
      en: 'A service answers at this address and port, but it is not an SMTP server (a website, an IMAP or POP server…).',
    },
    fix: {
      fr: [
        'Vérifiez le serveur : utilisez le serveur d’envoi SMTP de votre fournisseur, pas le serveur de réception IMAP ou POP.',
        'Vérifiez le port : 587 avec STARTTLS, ou 465 avec TLS.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the host: use your provider’s outgoing SMTP server, not the IMAP or POP receiving server.',
        'Check the port: 587 with STARTTLS, or 465 with TLS.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },
} satisfies Record<string, Explanation>;
