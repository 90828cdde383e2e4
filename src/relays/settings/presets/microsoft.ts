// Microsoft: Microsoft 365 (Exchange Online) mailboxes and personal Outlook.com accounts.
// Both accept username + password over SMTP AUTH only while Microsoft still allows basic
// authentication; the notices say so plainly, because the day it stops, sending stops.
import { MICROSOFT_APP_SIGN_IN, PASSWORD_SIGN_IN } from './oauth-guides.ts';
import type { Preset } from './preset.ts';

export const microsoft365: Preset = {
  id: 'microsoft-365',
  name: 'Microsoft 365',
  mark: { initials: 'M', color: '#D83B01' },
  host: 'smtp.office365.com',
  port: 587,
  security: 'starttls',
  usernameHint: {
    fr: 'L’adresse complète de la boîte aux lettres qui se connecte, par exemple formation@votre-domaine.fr.',
    en: 'The full address of the mailbox that signs in, e.g. training@your-domain.com.',
  },
  passwordLabel: {
    fr: 'Mot de passe de la boîte aux lettres (ou mot de passe d’application)',
    en: 'Mailbox password (or app password)',
  },
  limits: {
    // Exchange Online limits for SMTP AUTH client submission (Microsoft Learn, "Exchange
    // Online limits" and "Message storage and concurrent connection throttling for SMTP
    // Authenticated Submission"): 30 messages/minute, 10,000 recipients/day, 500 recipients
    // per message, 3 concurrent connections per mailbox (a 4th gets 432 4.3.2). Going over
    // the daily limit blocks the mailbox from sending for 24 hours.
    messagesPerMinute: 30,
    recipientsPerDay: 10000,
    maxRecipientsPerMessage: 500,
    maxConnections: 3,
    basis: {
      fr: 'Limites publiées par Microsoft pour l’envoi SMTP AUTH depuis une boîte Exchange Online : 30 messages par minute, 10 000 destinataires par jour, 500 destinataires par message et 3 connexions simultanées par boîte aux lettres. Au-delà de la limite quotidienne, Microsoft bloque l’envoi de la boîte pendant 24 heures.',
      en: 'Microsoft’s published limits for SMTP AUTH submission from an Exchange Online mailbox: 30 messages per minute, 10,000 recipients per day, 500 recipients per message and 3 simultaneous connections per mailbox. Beyond the daily limit, Microsoft blocks the mailbox from sending for 24 hours.',
    },
  },
  guide: {
    fr: [
      'Dans le centre d’administration Microsoft 365 (admin.microsoft.com), ouvrez Utilisateurs › Utilisateurs actifs et sélectionnez la boîte aux lettres qui enverra, par exemple formation@votre-domaine.fr.',
      'Dans l’onglet Courrier, cliquez sur Gérer les applications de messagerie, cochez SMTP authentifié puis enregistrez. Ce réglage propre à la boîte prime sur celui de l’organisation ; comptez jusqu’à une heure avant qu’il s’applique.',
      'Si les paramètres de sécurité par défaut sont activés dans Microsoft Entra ID (centre d’administration Entra › Vue d’ensemble › Propriétés), ils refusent la connexion SMTP par mot de passe : votre administrateur décide de les remplacer par des stratégies d’accès conditionnel, ou d’attendre la connexion Microsoft dans Relais.',
      'Si Relais doit envoyer avec une autre adresse (boîte partagée, groupe), donnez à cette boîte l’autorisation « Envoyer en tant que » sur cette adresse : centre d’administration Exchange › Destinataires › Boîtes aux lettres › l’adresse › Délégation. « Envoyer de la part de » ne suffit pas.',
      'Dans Relais, saisissez l’adresse complète de la boîte comme identifiant et son mot de passe. Si le compte utilise l’authentification multifacteur par utilisateur et que votre organisation autorise les mots de passe d’application, créez-en un sur mysignins.microsoft.com › Informations de sécurité › Ajouter une méthode de connexion, et utilisez-le à la place.',
      'Lancez la vérification. L’erreur 535 5.7.139 signifie que SMTP AUTH est encore désactivé pour la boîte ou bloqué par les paramètres de sécurité par défaut.',
    ],
    en: [
      'In the Microsoft 365 admin center (admin.microsoft.com), open Users › Active users and select the mailbox that will send, e.g. training@your-domain.com.',
      'On the Mail tab, click Manage email apps, tick Authenticated SMTP and save. This per-mailbox setting takes precedence over the organisation-wide one; allow up to an hour for it to apply.',
      'If Security defaults are on in Microsoft Entra ID (Entra admin center › Overview › Properties), they refuse password sign-in over SMTP: your administrator decides whether to replace them with Conditional Access policies, or to wait for Microsoft sign-in in Relais.',
      'If Relais must send as another address (a shared mailbox, a group), give this mailbox the Send As permission on it: Exchange admin center › Recipients › Mailboxes › the address › Delegation. Send on Behalf is not enough.',
      'In Relais, enter the mailbox’s full address as the username and its password. If the account uses per-user multifactor authentication and your organisation allows app passwords, create one at mysignins.microsoft.com › Security info › Add sign-in method, and use it instead.',
      'Run the check. Error 535 5.7.139 means SMTP AUTH is still disabled for the mailbox or blocked by Security defaults.',
    ],
  },
  notices: [
    {
      level: 'warning',
      text: {
        fr: 'Fin décembre 2026, Microsoft désactive par défaut l’authentification de base (identifiant et mot de passe) pour l’envoi SMTP AUTH. Choisissez la connexion d’application Microsoft Entra (OAuth2) : elle continue de fonctionner après cette date. Avec un mot de passe, SMTP AUTH doit rester activé pour la boîte, sinon l’envoi s’arrête.',
        en: 'At the end of December 2026, Microsoft turns off basic authentication (username and password) for SMTP AUTH by default. Choose Microsoft Entra app sign-in (OAuth2): it keeps working after that date. With a password, SMTP AUTH must stay enabled for the mailbox, or sending stops.',
      },
    },
  ],
  docsUrl:
    'https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission',
  authMethods: [MICROSOFT_APP_SIGN_IN, PASSWORD_SIGN_IN],
  connect: 'microsoft',
};

export const outlook: Preset = {
  id: 'outlook',
  name: 'Outlook.com',
  mark: { initials: 'O', color: '#0078D4' },
  host: 'smtp-mail.outlook.com',
  port: 587,
  security: 'starttls',
  usernameHint: {
    fr: 'Votre adresse Outlook.com complète (aussi @hotmail.com, @live.com…).',
    en: 'Your full Outlook.com address (also @hotmail.com, @live.com…).',
  },
  passwordLabel: { fr: 'Mot de passe d’application', en: 'App password' },
  limits: {
    // Microsoft publishes no fixed Outlook.com figures and adapts them to each account's
    // history; about 300 recipients a day is the figure recent accounts are held to, and going
    // over blocks sending. A consumer mailbox needs no parallelism.
    recipientsPerDay: 300,
    maxRecipientsPerMessage: 100,
    maxConnections: 1,
    basis: {
      fr: 'Microsoft ne publie pas de limites fixes pour Outlook.com et les adapte à l’historique de chaque compte : un compte récent est limité à environ 300 destinataires par jour, et un dépassement bloque l’envoi. Relais s’en tient à ce chiffre, à 100 destinataires par message et à une seule connexion.',
      en: 'Microsoft publishes no fixed limits for Outlook.com and adapts them to each account’s history: a recent account is held to about 300 recipients a day, and going over blocks sending. Relais keeps to that figure, 100 recipients per message and a single connection.',
    },
  },
  guide: {
    fr: [
      'Connectez-vous sur account.microsoft.com avec l’adresse Outlook.com qui enverra, puis ouvrez Sécurité › Options de sécurité avancées (« Gérer la façon dont je me connecte »).',
      'Activez la vérification en deux étapes et suivez les instructions.',
      'Sur la même page, sous Mots de passe d’application, cliquez sur Créer un mot de passe d’application et copiez le mot de passe affiché.',
      'Dans Relais, saisissez votre adresse Outlook.com complète comme identifiant et collez le mot de passe d’application. L’adresse d’expédition doit être cette même adresse.',
      'Lancez la vérification.',
    ],
    en: [
      'Sign in at account.microsoft.com with the Outlook.com address that will send, then open Security › Advanced security options (“Manage how I sign in”).',
      'Turn on two-step verification and follow the prompts.',
      'On the same page, under App passwords, click Create a new app password and copy the password shown.',
      'In Relais, enter your full Outlook.com address as the username and paste the app password. The sender address must be this same address.',
      'Run the check.',
    ],
  },
  notices: [
    {
      level: 'warning',
      text: {
        fr: 'Microsoft retire progressivement la connexion par mot de passe des applications tierces sur Outlook.com. Si la vérification signale un échec d’authentification alors que le mot de passe d’application est correct, votre compte ne l’accepte plus. Pour l’adresse d’une organisation, une boîte Microsoft 365 ou un service d’envoi convient mieux.',
        en: 'Microsoft is phasing out password sign-in for third-party apps on Outlook.com. If the check reports an authentication failure although the app password is right, your account no longer accepts it. For an organisation’s address, a Microsoft 365 mailbox or a sending service is a better fit.',
      },
    },
  ],
  docsUrl:
    'https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-for-outlook-com-d088b986-291d-42b8-9564-9c414e2aa040',
  connect: 'microsoft',
};
