// Google: personal Gmail accounts and Google Workspace. Both sign in with an app password,
// which Google only issues once 2-Step Verification is on; plain account passwords are refused.
import { GOOGLE_APP_SIGN_IN, PASSWORD_SIGN_IN } from './oauth-guides.ts';
import type { Preset } from './preset.ts';

export const gmail: Preset = {
  id: 'gmail',
  name: 'Gmail',
  mark: { initials: 'G', color: '#EA4335' },
  host: 'smtp.gmail.com',
  port: 587,
  security: 'starttls',
  alternatives: [{ port: 465, security: 'tls' }],
  usernameHint: {
    fr: 'Votre adresse Gmail complète, par exemple prenom.nom@gmail.com.',
    en: 'Your full Gmail address, e.g. firstname.lastname@gmail.com.',
  },
  passwordLabel: { fr: 'Mot de passe d’application', en: 'App password' },
  limits: {
    // Google's "Gmail sending limits" page: 500 recipients per rolling 24 h for personal
    // accounts; going over suspends sending for up to a day. Per-message and connection
    // figures are not published for personal accounts: Workspace's SMTP figure (100) and a
    // small pool keep Relais well inside whatever Google applies.
    recipientsPerDay: 500,
    maxRecipientsPerMessage: 100,
    maxConnections: 2,
    basis: {
      fr: 'Limite publiée par Google pour un compte Gmail personnel : 500 destinataires par période glissante de 24 heures ; au-delà, Google bloque l’envoi jusqu’à 24 heures. Relais s’en tient aussi à 100 destinataires par message et à deux connexions, des chiffres que Google ne publie pas pour les comptes personnels.',
      en: 'Google’s published limit for a personal Gmail account: 500 recipients per rolling 24 hours; beyond it Google blocks sending for up to 24 hours. Relais also keeps to 100 recipients per message and two connections, figures Google does not publish for personal accounts.',
    },
  },
  guide: {
    fr: [
      'Connectez-vous au compte Google de l’adresse d’envoi et ouvrez la page Sécurité (myaccount.google.com/security). Sous « Comment vous connecter à Google », activez la validation en deux étapes si elle ne l’est pas encore.',
      'Ouvrez myaccount.google.com/apppasswords, saisissez un nom comme « Relais » puis cliquez sur Créer.',
      'Copiez le mot de passe d’application de 16 caractères affiché dans l’encadré (les espaces n’ont pas d’importance). Google ne l’affiche qu’une seule fois.',
      'Dans Relais, saisissez votre adresse Gmail complète comme identifiant et collez le mot de passe d’application comme mot de passe.',
      'Choisissez comme adresse d’expédition cette adresse Gmail, ou une adresse déjà ajoutée dans Gmail sous Paramètres › Comptes et importation › Envoyer des e-mails en tant que ; Gmail remplace toute autre adresse par celle du compte.',
      'Lancez la vérification. Si vous changez un jour le mot de passe du compte Google, Google révoque tous les mots de passe d’application : créez-en un nouveau et collez-le dans Relais.',
    ],
    en: [
      'Sign in to the Google Account of the sending address and open the Security page (myaccount.google.com/security). Under “How you sign in to Google”, turn on 2-Step Verification if it is not on yet.',
      'Open myaccount.google.com/apppasswords, type a name such as “Relais” and click Create.',
      'Copy the 16-character app password shown in the box (spaces do not matter). Google shows it only once.',
      'In Relais, enter your full Gmail address as the username and paste the app password as the password.',
      'Use this Gmail address as the sender address, or an address already added in Gmail under Settings › Accounts and Import › Send mail as; Gmail replaces any other sender with the account’s own address.',
      'Run the check. If you ever change the Google Account password, Google revokes every app password: create a new one and paste it into Relais.',
    ],
  },
  notices: [
    {
      level: 'info',
      text: {
        fr: 'Un compte Gmail personnel convient à de petits volumes. Pour l’adresse d’une organisation, préférez Google Workspace ou un service d’envoi.',
        en: 'A personal Gmail account suits small volumes. For an organisation’s address, prefer Google Workspace or a sending service.',
      },
    },
    {
      level: 'info',
      text: {
        fr: 'Si la page des mots de passe d’application est introuvable, la validation en deux étapes n’est pas activée, ou elle n’utilise que des clés de sécurité, ou le compte est inscrit au programme Protection Avancée, qui les interdit.',
        en: 'If the app passwords page cannot be found, 2-Step Verification is off, or it only uses security keys, or the account is enrolled in Advanced Protection, which forbids them.',
      },
    },
  ],
  docsUrl: 'https://support.google.com/accounts/answer/185833',
  connect: 'google',
};

export const googleWorkspace: Preset = {
  id: 'google-workspace',
  name: 'Google Workspace',
  mark: { initials: 'GW', color: '#4285F4' },
  host: 'smtp.gmail.com',
  hostChoices: [
    {
      host: 'smtp.gmail.com',
      label: {
        fr: 'Envoi SMTP de Gmail, avec le mot de passe d’application de l’utilisateur',
        en: 'Gmail SMTP, with the user’s app password',
      },
    },
    {
      host: 'smtp-relay.gmail.com',
      label: {
        fr: 'Service de relais SMTP (activé par votre administrateur)',
        en: 'SMTP relay service (turned on by your administrator)',
      },
    },
  ],
  port: 587,
  security: 'starttls',
  alternatives: [{ port: 465, security: 'tls' }],
  usernameHint: {
    fr: 'L’adresse complète de l’utilisateur Google Workspace qui envoie, par exemple formation@votre-domaine.fr.',
    en: 'The full address of the Google Workspace user who sends, e.g. training@your-domain.com.',
  },
  passwordLabel: { fr: 'Mot de passe d’application', en: 'App password' },
  limits: {
    // Google Workspace "Gmail sending limits": 2,000 messages/day per user, 10,000 recipients
    // of which 3,000 external, 100 recipients per message over SMTP; trials 500 messages/day.
    // Relais's mail goes outside the organisation, so the external figure is the binding one.
    messagesPerDay: 2000,
    recipientsPerDay: 3000,
    maxRecipientsPerMessage: 100,
    maxConnections: 2,
    basis: {
      fr: 'Limites publiées par Google pour un utilisateur Google Workspace : 2 000 messages par jour, 3 000 destinataires externes par jour (10 000 au total), 100 destinataires par message envoyé en SMTP ; un compte d’essai est limité à 500 messages par jour. Google ne publie pas de limite de connexions ; Relais s’en tient à deux.',
      en: 'Google’s published limits for a Google Workspace user: 2,000 messages a day, 3,000 external recipients a day (10,000 in total), 100 recipients per message sent over SMTP; a trial account is limited to 500 messages a day. Google publishes no connection limit; Relais keeps to two.',
    },
  },
  guide: {
    fr: [
      'Administrateur : dans la console d’administration Google (admin.google.com), ouvrez Sécurité › Authentification › Validation en deux étapes et cochez « Autoriser les utilisateurs à activer la validation en deux étapes » pour l’unité organisationnelle de l’utilisateur qui envoie.',
      'Connecté avec le compte qui envoie (par exemple formation@votre-domaine.fr), activez la validation en deux étapes sur myaccount.google.com/security.',
      'Ouvrez myaccount.google.com/apppasswords, nommez le mot de passe « Relais », cliquez sur Créer et copiez le code de 16 caractères (affiché une seule fois).',
      'Dans Relais, gardez smtp.gmail.com, saisissez l’adresse complète de l’utilisateur comme identifiant et collez le mot de passe d’application.',
      'Envoyez depuis l’adresse de cet utilisateur, l’un de ses alias, ou une adresse ajoutée dans Gmail sous Paramètres › Comptes › Envoyer des e-mails en tant que ; Gmail remplace toute autre adresse par celle de l’utilisateur.',
      'Lancez la vérification.',
    ],
    en: [
      'Administrator: in the Google Admin console (admin.google.com), open Security › Authentication › 2-Step Verification and tick “Allow users to turn on 2-Step Verification” for the organisational unit of the sending user.',
      'Signed in as the sending user (e.g. training@your-domain.com), turn on 2-Step Verification at myaccount.google.com/security.',
      'Open myaccount.google.com/apppasswords, name the password “Relais”, click Create and copy the 16-character code (shown only once).',
      'In Relais, keep smtp.gmail.com, enter the user’s full address as the username and paste the app password.',
      'Send from this user’s address, one of its aliases, or an address added in Gmail under Settings › Accounts › Send mail as; Gmail replaces any other sender with the user’s own address.',
      'Run the check.',
    ],
  },
  notices: [
    {
      level: 'info',
      text: {
        fr: 'Plus de 2 000 messages par jour ? Votre administrateur peut activer le service de relais SMTP (console d’administration › Applications › Google Workspace › Gmail › Routage › Service de relais SMTP) avec « Uniquement les adresses de mes domaines », « Exiger l’authentification SMTP » et « Exiger le chiffrement TLS », puis vous choisissez smtp-relay.gmail.com dans Relais, avec le même identifiant et le même mot de passe d’application.',
        en: 'More than 2,000 messages a day? Your administrator can turn on the SMTP relay service (Admin console › Apps › Google Workspace › Gmail › Routing › SMTP relay service) with “Only addresses in my domains”, “Require SMTP Authentication” and “Require TLS encryption”; then choose smtp-relay.gmail.com in Relais, with the same username and app password.',
      },
    },
  ],
  docsUrl: 'https://support.google.com/a/answer/176600',
  authMethods: [GOOGLE_APP_SIGN_IN, PASSWORD_SIGN_IN],
  connect: 'google',
};
