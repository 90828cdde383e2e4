// OVHcloud mailboxes: the server depends on the offer (MX Plan, Email Pro, Hosted Exchange),
// so the owner picks it; MX Plan prefers implicit TLS on 465, Email Pro STARTTLS on 587.
import type { Preset } from './preset.ts';

export const ovh: Preset = {
  id: 'ovh',
  name: 'OVHcloud',
  mark: { initials: 'OV', color: '#000E9C' },
  host: null,
  hostChoices: [
    {
      host: 'ssl0.ovh.net',
      label: {
        fr: 'MX Plan et e-mails inclus avec l’hébergement web',
        en: 'MX Plan and emails included with web hosting',
      },
      endpoint: { port: 465, security: 'tls' },
    },
    {
      host: 'pro1.mail.ovh.net',
      label: {
        fr: 'Email Pro (vérifiez le nom du serveur dans votre espace client)',
        en: 'Email Pro (check the server name in your Control Panel)',
      },
      endpoint: { port: 587, security: 'starttls' },
    },
  ],
  port: 465,
  security: 'tls',
  alternatives: [{ port: 587, security: 'starttls' }],
  usernameHint: {
    fr: 'L’adresse e-mail complète, par exemple formation@votre-domaine.fr.',
    en: 'The full email address, e.g. training@your-domain.com.',
  },
  passwordLabel: { fr: 'Mot de passe du compte e-mail', en: 'Email account password' },
  limits: {
    // OVHcloud publishes no sending quota for its mailboxes but blocks an address "for spam"
    // when its sending frequency or number of recipients looks like mass mailing; unblocking
    // takes an owner's action. A small pool, and no made-up quota.
    maxConnections: 2,
    basis: {
      fr: 'OVHcloud ne publie pas de quota d’envoi pour ses boîtes e-mail, mais bloque une adresse pour spam quand elle envoie trop souvent ou à trop de destinataires. Relais s’en tient à deux connexions ; réservez les gros volumes à un service d’envoi.',
      en: 'OVHcloud publishes no sending quota for its mailboxes, but blocks an address for spam when it sends too often or to too many recipients. Relais keeps to two connections; keep large volumes for a sending service.',
    },
  },
  guide: {
    fr: [
      'Dans l’espace client OVHcloud, ouvrez Web Cloud › E-mails (MX Plan) ou Email Pro, puis votre domaine ou votre service.',
      'Repérez le nom du serveur : MX Plan utilise ssl0.ovh.net ; Email Pro et Exchange affichent le leur dans l’onglet Informations générales (par exemple pro1.mail.ovh.net ou ex4.mail.ovh.net).',
      'Dans l’onglet Comptes e-mail, créez l’adresse d’envoi si besoin ; pour définir un nouveau mot de passe, cliquez sur « … » à côté de l’adresse puis sur Modifier le mot de passe.',
      'Dans Relais, choisissez ou saisissez le serveur : port 465 (SSL/TLS) pour MX Plan, port 587 (STARTTLS) pour Email Pro et Exchange. Saisissez l’adresse complète comme identifiant et son mot de passe.',
      'Lancez la vérification.',
    ],
    en: [
      'In the OVHcloud Control Panel, open Web Cloud › Emails (MX Plan) or Email Pro, then your domain or service.',
      'Find the server name: MX Plan uses ssl0.ovh.net; Email Pro and Exchange show theirs on the General information tab (e.g. pro1.mail.ovh.net or ex4.mail.ovh.net).',
      'On the Email accounts tab, create the sending address if needed; to set a new password, click “…” next to the address, then Change password.',
      'In Relais, choose or type the server: port 465 (SSL/TLS) for MX Plan, port 587 (STARTTLS) for Email Pro and Exchange. Enter the full address as the username and its password.',
      'Run the check.',
    ],
  },
};
