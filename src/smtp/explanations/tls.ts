// Explanations for encryption problems: STARTTLS, certificates, and mixed-up TLS modes.
import type { Explanation } from './explanation.ts';

const RUN_CHECK_AGAIN = { fr: 'Enregistrez, puis relancez la vérification.', en: 'Save, then run the check again.' };

export const tlsExplanations = {
  'starttls-required': {
    title: { fr: 'Le serveur exige une connexion chiffrée', en: 'The server requires an encrypted connection' },
    cause: {
      fr: 'Le serveur exige que la connexion soit chiffrée (STARTTLS) avant toute autre commande, et cette connexion ne l’est pas.',
      en: 'The server requires the connection to be encrypted (STARTTLS) before any other command, and this connection is not.',
    },
    fix: {
      fr: ['Dans les réglages SMTP, choisissez la sécurité STARTTLS (port 587) ou TLS (port 465).', RUN_CHECK_AGAIN.fr],
      en: ['In the SMTP settings, choose STARTTLS security (port 587) or TLS (port 465).', RUN_CHECK_AGAIN.en],
    },
  },

  'tls-mode-mismatch': {
    title: { fr: 'Le mode de sécurité ne correspond pas au port', en: 'The security mode does not match the port' },
    cause: {
      fr: 'Le mode de sécurité ne correspond pas au port : le port 465 attend du TLS dès le premier octet (TLS implicite), alors que les ports 587, 25 et 2525 commencent en clair puis passent au chiffrement avec STARTTLS.',
      en: 'The security mode does not match the port: port 465 expects TLS from the first byte (implicit TLS), while ports 587, 25 and 2525 start in plain text and then switch to encryption with STARTTLS.',
    },
    fix: {
      fr: [
        'Pour le port 465, choisissez la sécurité « TLS ».',
        'Pour les ports 587, 25 ou 2525, choisissez « STARTTLS ».',
        RUN_CHECK_AGAIN.fr,
      ],
      en: ['For port 465, choose “TLS” security.', 'For ports 587, 25 or 2525, choose “STARTTLS”.', RUN_CHECK_AGAIN.en],
    },
  },

  'certificate-expired': {
    title: { fr: 'Le certificat du serveur a expiré', en: 'The server’s certificate has expired' },
    cause: {
      fr: 'Le serveur présente un certificat TLS expiré : Relais ne peut pas s’assurer qu’il s’adresse au bon serveur, et refuse d’y envoyer identifiants et messages.',
      en: 'The server presents an expired TLS certificate: Relais cannot make sure it is talking to the right server, and refuses to send it credentials or messages.',
    },
    fix: {
      fr: [
        'Signalez à l’administrateur du serveur ou à l’hébergeur que le certificat a expiré et doit être renouvelé.',
        'Si votre fournisseur indique un autre nom de serveur SMTP, utilisez-le.',
        'Relancez la vérification une fois le certificat renouvelé.',
      ],
      en: [
        'Tell the server’s administrator or hosting provider that the certificate has expired and must be renewed.',
        'If your provider documents another SMTP host name, use it.',
        'Run the check again once the certificate is renewed.',
      ],
    },
  },

  'certificate-hostname-mismatch': {
    title: { fr: 'Le certificat est émis pour un autre serveur', en: 'The certificate was issued for another host' },
    cause: {
      fr: 'Le certificat TLS du serveur a été émis pour un autre nom que celui des réglages. C’est fréquent avec une adresse IP, ou un alias de votre domaine (mail.votre-domaine.fr) qui pointe vers un serveur mutualisé.',
      en: 'The server’s TLS certificate was issued for another name than the one in the settings. This is common with an IP address, or an alias of your domain (mail.your-domain.com) pointing to a shared server.',
    },
    fix: {
      fr: [
        'Utilisez le nom officiel du serveur SMTP de votre fournisseur (par exemple smtp.office365.com, smtp.gmail.com, ssl0.ovh.net), pas une adresse IP ni un alias de votre domaine.',
        'Choisissez le modèle de votre fournisseur s’il existe : il renseigne le bon serveur.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Use your provider’s official SMTP host name (for example smtp.office365.com, smtp.gmail.com, ssl0.ovh.net), not an IP address or an alias of your domain.',
        'Pick your provider’s preset if there is one: it fills in the right host.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'certificate-untrusted': {
    title: { fr: 'Le certificat du serveur n’est pas reconnu', en: 'The server’s certificate is not trusted' },
    cause: {
      fr: 'Le certificat TLS du serveur n’est pas signé par une autorité reconnue : il est auto-signé, ou le serveur n’envoie pas ses certificats intermédiaires.',
      en: 'The server’s TLS certificate is not signed by a recognised authority: it is self-signed, or the server does not send its intermediate certificates.',
    },
    fix: {
      fr: [
        'Vérifiez le serveur : utilisez le nom officiel du serveur SMTP de votre fournisseur.',
        'Demandez à l’administrateur du serveur d’installer un certificat d’une autorité reconnue (Let’s Encrypt par exemple) avec toute la chaîne de certificats intermédiaires.',
        'Relancez ensuite la vérification.',
      ],
      en: [
        'Check the host: use your provider’s official SMTP host name.',
        'Ask the server’s administrator to install a certificate from a recognised authority (Let’s Encrypt, for example) with the full chain of intermediate certificates.',
        'Then run the check again.',
      ],
    },
  },

  'tls-handshake-failed': {
    title: { fr: 'La connexion chiffrée a échoué', en: 'The encrypted connection failed' },
    cause: {
      fr: 'La connexion chiffrée (TLS) avec le serveur n’a pas pu s’établir : le serveur ne propose pas le chiffrement, ou seulement d’anciennes versions qui ne sont plus sûres.',
      en: 'The encrypted (TLS) connection with the server could not be set up: the server does not offer encryption, or only old versions that are no longer safe.',
    },
    fix: {
      fr: [
        'Vérifiez le mode de sécurité : TLS pour le port 465, STARTTLS pour les ports 587, 25 ou 2525.',
        'Si le serveur ne propose que TLS 1.0 ou 1.1, ou aucun chiffrement, demandez à son administrateur d’activer TLS 1.2 ou plus récent.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the security mode: TLS for port 465, STARTTLS for ports 587, 25 or 2525.',
        'If the server only offers TLS 1.0 or 1.1, or no encryption, ask its administrator to enable TLS 1.2 or later.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },
} satisfies Record<string, Explanation>;
