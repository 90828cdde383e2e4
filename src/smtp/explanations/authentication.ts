// Explanations for a refused sign-in (AUTH), by far the most common relay problem.
import type { Explanation } from './explanation.ts';

const RUN_CHECK_AGAIN = { fr: 'Enregistrez, puis relancez la vérification.', en: 'Save, then run the check again.' };

export const authenticationExplanations = {
  'auth-failed': {
    title: { fr: 'Identifiant ou mot de passe refusé', en: 'Username or password rejected' },
    cause: {
      fr: 'Le serveur a refusé l’identifiant ou le mot de passe : l’un des deux est erroné, ou le compte n’accepte pas de mot de passe pour un envoi depuis une application.',
      en: 'The server rejected the username or password: one of them is wrong, or the account does not accept a password for sending from an application.',
    },
    fix: {
      fr: [
        'Vérifiez l’identifiant : c’est en général l’adresse e-mail complète du compte d’envoi.',
        'Saisissez de nouveau le mot de passe dans les réglages SMTP, sans espace au début ni à la fin.',
        'Connectez-vous au webmail du fournisseur avec les mêmes identifiants pour vérifier qu’ils fonctionnent et que le compte n’est pas bloqué.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the username: it is usually the full email address of the sending account.',
        'Type the password again in the SMTP settings, with no space before or after it.',
        'Sign in to the provider’s webmail with the same credentials to make sure they work and the account is not locked.',
        RUN_CHECK_AGAIN.en,
      ],
    },
    byPreset: {
      gmail: {
        cause: {
          fr: 'Google a refusé l’identifiant ou le mot de passe. Gmail n’accepte plus le mot de passe habituel du compte depuis une application : il faut un mot de passe d’application.',
          en: 'Google rejected the username or password. Gmail no longer accepts the account’s usual password from an application: it needs an app password.',
        },
        fix: {
          fr: [
            'Activez la validation en deux étapes du compte Google (myaccount.google.com → Sécurité).',
            'Créez un mot de passe d’application sur myaccount.google.com/apppasswords, nommé par exemple « Relais ».',
            'Collez les 16 caractères, sans les espaces, dans le champ Mot de passe des réglages SMTP.',
            'Utilisez l’adresse Gmail complète comme identifiant, enregistrez, puis relancez la vérification.',
          ],
          en: [
            'Turn on 2-Step Verification for the Google account (myaccount.google.com → Security).',
            'Create an app password at myaccount.google.com/apppasswords, named for example “Relais”.',
            'Paste the 16 characters, without the spaces, into the Password field of the SMTP settings.',
            'Use the full Gmail address as the username, save, then run the check again.',
          ],
        },
      },
      'google-workspace': {
        cause: {
          fr: 'Google a refusé l’identifiant ou le mot de passe. Google Workspace n’accepte pas le mot de passe habituel du compte depuis une application : il faut un mot de passe d’application, ou la connexion avec Google.',
          en: 'Google rejected the username or password. Google Workspace does not accept the account’s usual password from an application: it needs an app password, or Sign in with Google.',
        },
        fix: {
          fr: [
            'Le plus simple : choisissez « Se connecter avec Google » (OAuth) comme méthode d’authentification dans les réglages SMTP.',
            'Sinon, activez la validation en deux étapes du compte ; si l’option n’apparaît pas, demandez à l’administrateur Google Workspace de l’autoriser (console d’administration → Sécurité → Authentification).',
            'Créez un mot de passe d’application sur myaccount.google.com/apppasswords et collez-le sans espaces dans le champ Mot de passe.',
            'Utilisez l’adresse complète comme identifiant, enregistrez, puis relancez la vérification.',
          ],
          en: [
            'Simplest: choose “Sign in with Google” (OAuth) as the authentication method in the SMTP settings.',
            'Otherwise, turn on 2-Step Verification for the account; if the option is missing, ask the Google Workspace administrator to allow it (Admin console → Security → Authentication).',
            'Create an app password at myaccount.google.com/apppasswords and paste it without spaces into the Password field.',
            'Use the full address as the username, save, then run the check again.',
          ],
        },
      },
      'microsoft-365': {
        cause: {
          fr: 'Microsoft 365 a refusé l’identifiant ou le mot de passe. Le mot de passe peut être erroné, ou le compte utilise l’authentification multifacteur, qui bloque la connexion SMTP par mot de passe.',
          en: 'Microsoft 365 rejected the username or password. The password may be wrong, or the account uses multi-factor authentication, which blocks SMTP sign-in with a password.',
        },
        fix: {
          fr: [
            'Vérifiez que l’identifiant est l’adresse complète de la boîte d’envoi (nom@votre-domaine.fr).',
            'Si le compte utilise l’authentification multifacteur, choisissez « Se connecter avec Microsoft » (OAuth) au lieu d’un mot de passe.',
            'Sinon, saisissez de nouveau le mot de passe, enregistrez, puis relancez la vérification.',
          ],
          en: [
            'Check that the username is the full address of the sending mailbox (name@your-domain.com).',
            'If the account uses multi-factor authentication, choose “Sign in with Microsoft” (OAuth) instead of a password.',
            'Otherwise, type the password again, save, then run the check again.',
          ],
        },
      },
      outlook: {
        cause: {
          fr: 'Outlook.com a refusé l’identifiant ou le mot de passe. Microsoft accepte de moins en moins le mot de passe du compte pour l’envoi SMTP.',
          en: 'Outlook.com rejected the username or password. Microsoft accepts the account password for SMTP sending less and less.',
        },
        fix: {
          fr: [
            'Choisissez de préférence « Se connecter avec Microsoft » (OAuth) dans les réglages SMTP : aucun mot de passe n’est alors nécessaire.',
            'Si vous gardez un mot de passe et que la vérification en deux étapes est active, créez un mot de passe d’application (account.microsoft.com → Sécurité → Options de sécurité avancées) et collez-le.',
            RUN_CHECK_AGAIN.fr,
          ],
          en: [
            'Preferably choose “Sign in with Microsoft” (OAuth) in the SMTP settings: no password is needed then.',
            'If you keep a password and two-step verification is on, create an app password (account.microsoft.com → Security → Advanced security options) and paste it.',
            RUN_CHECK_AGAIN.en,
          ],
        },
      },
      sendgrid: {
        cause: {
          fr: 'SendGrid a refusé les identifiants. Avec SendGrid, l’identifiant est toujours le mot apikey et le mot de passe est une clé d’API, pas le mot de passe de votre compte.',
          en: 'SendGrid rejected the credentials. With SendGrid the username is always the word apikey and the password is an API key, not your account password.',
        },
        fix: {
          fr: [
            'Dans SendGrid, ouvrez Settings → API Keys et créez une clé ayant au moins la permission « Mail Send ».',
            'Dans les réglages SMTP, saisissez apikey, tel quel, comme identifiant.',
            'Collez la clé d’API (elle commence par SG.) comme mot de passe, enregistrez, puis relancez la vérification.',
          ],
          en: [
            'In SendGrid, open Settings → API Keys and create a key with at least the “Mail Send” permission.',
            'In the SMTP settings, enter apikey, exactly as written, as the username.',
            'Paste the API key (it starts with SG.) as the password, save, then run the check again.',
          ],
        },
      },
      'amazon-ses': {
        cause: {
          fr: 'Amazon SES a refusé les identifiants. SES demande des identifiants SMTP, différents des clés d’accès IAM, et valables seulement dans la région où ils ont été créés.',
          en: 'Amazon SES rejected the credentials. SES needs SMTP credentials, which differ from IAM access keys and only work in the region they were created in.',
        },
        fix: {
          fr: [
            'Dans la console Amazon SES, ouvrez SMTP settings dans la région de votre serveur (par exemple eu-west-3 pour email-smtp.eu-west-3.amazonaws.com).',
            'Cliquez sur Create SMTP credentials et copiez le nom d’utilisateur et le mot de passe SMTP affichés (le mot de passe n’est montré qu’une fois).',
            'Collez-les dans les réglages SMTP à la place de l’identifiant de clé d’accès et de la clé secrète IAM, enregistrez, puis relancez la vérification.',
          ],
          en: [
            'In the Amazon SES console, open SMTP settings in the region of your server (for example eu-west-3 for email-smtp.eu-west-3.amazonaws.com).',
            'Click Create SMTP credentials and copy the SMTP username and password shown (the password is shown only once).',
            'Paste them into the SMTP settings instead of the IAM access key ID and secret key, save, then run the check again.',
          ],
        },
      },
      mailgun: {
        cause: {
          fr: 'Mailgun a refusé les identifiants. Mailgun utilise des identifiants SMTP propres à chaque domaine d’envoi.',
          en: 'Mailgun rejected the credentials. Mailgun uses SMTP credentials specific to each sending domain.',
        },
        fix: {
          fr: [
            'Dans Mailgun, ouvrez Send → Domain settings → SMTP credentials pour votre domaine.',
            'Utilisez l’identifiant affiché (par exemple postmaster@mg.votre-domaine.fr) et réinitialisez le mot de passe si vous ne l’avez plus.',
            'Vérifiez que le serveur correspond à la région du domaine (smtp.eu.mailgun.org pour l’Europe), enregistrez, puis relancez la vérification.',
          ],
          en: [
            'In Mailgun, open Send → Domain settings → SMTP credentials for your domain.',
            'Use the login shown (for example postmaster@mg.your-domain.com) and reset the password if you no longer have it.',
            'Check that the host matches the domain’s region (smtp.eu.mailgun.org for the EU), save, then run the check again.',
          ],
        },
      },
      brevo: {
        cause: {
          fr: 'Brevo a refusé les identifiants. L’identifiant SMTP de Brevo est celui affiché dans la page SMTP & API, et le mot de passe est une clé SMTP, pas le mot de passe de votre compte.',
          en: 'Brevo rejected the credentials. Brevo’s SMTP login is the one shown on the SMTP & API page, and the password is an SMTP key, not your account password.',
        },
        fix: {
          fr: [
            'Dans Brevo, ouvrez SMTP & API, onglet SMTP.',
            'Copiez l’identifiant affiché comme identifiant.',
            'Générez une clé SMTP et collez-la comme mot de passe, enregistrez, puis relancez la vérification.',
          ],
          en: [
            'In Brevo, open SMTP & API, SMTP tab.',
            'Copy the login shown there as the username.',
            'Generate an SMTP key and paste it as the password, save, then run the check again.',
          ],
        },
      },
      mailjet: {
        cause: {
          fr: 'Mailjet a refusé les identifiants. Chez Mailjet, l’identifiant SMTP est la clé d’API et le mot de passe est la clé secrète.',
          en: 'Mailjet rejected the credentials. With Mailjet the SMTP username is the API key and the password is the secret key.',
        },
        fix: {
          fr: [
            'Dans Mailjet, ouvrez Paramètres du compte → Gestion des clés API.',
            'Utilisez la clé d’API comme identifiant et la clé secrète comme mot de passe.',
            RUN_CHECK_AGAIN.fr,
          ],
          en: [
            'In Mailjet, open Account settings → API key management.',
            'Use the API key as the username and the secret key as the password.',
            RUN_CHECK_AGAIN.en,
          ],
        },
      },
      postmark: {
        cause: {
          fr: 'Postmark a refusé les identifiants. Chez Postmark, l’identifiant et le mot de passe SMTP sont tous deux le jeton d’API du serveur (Server API token).',
          en: 'Postmark rejected the credentials. With Postmark, the SMTP username and password are both the Server API token.',
        },
        fix: {
          fr: [
            'Dans Postmark, ouvrez votre serveur → API Tokens.',
            'Collez le Server API token à la fois comme identifiant et comme mot de passe.',
            RUN_CHECK_AGAIN.fr,
          ],
          en: [
            'In Postmark, open your server → API Tokens.',
            'Paste the Server API token as both the username and the password.',
            RUN_CHECK_AGAIN.en,
          ],
        },
      },
      zoho: {
        cause: {
          fr: 'Zoho a refusé les identifiants. Quand l’authentification à deux facteurs est active, Zoho exige un mot de passe spécifique à l’application.',
          en: 'Zoho rejected the credentials. When two-factor authentication is on, Zoho requires an application-specific password.',
        },
        fix: {
          fr: [
            'Dans Zoho Accounts, ouvrez Sécurité → Mots de passe d’application et générez-en un pour Relais.',
            'Utilisez l’adresse Zoho complète comme identifiant et ce mot de passe généré.',
            'Vérifiez que le serveur correspond à votre centre de données (smtp.zoho.eu pour un compte européen), enregistrez, puis relancez la vérification.',
          ],
          en: [
            'In Zoho Accounts, open Security → App Passwords and generate one for Relais.',
            'Use the full Zoho address as the username, with the generated password.',
            'Check that the host matches your data centre (smtp.zoho.eu for an EU account), save, then run the check again.',
          ],
        },
      },
      scaleway: {
        cause: {
          fr: 'Scaleway a refusé les identifiants. Pour Transactional Email, l’identifiant SMTP est l’identifiant du projet (Project ID) et le mot de passe est la clé secrète d’une clé d’API.',
          en: 'Scaleway rejected the credentials. For Transactional Email, the SMTP username is the Project ID and the password is the secret key of an API key.',
        },
        fix: {
          fr: [
            'Dans la console Scaleway, ouvrez Transactional Email → votre domaine → configuration SMTP et copiez le Project ID comme identifiant.',
            'Créez une clé d’API (IAM) avec les permissions Transactional Email et collez sa clé secrète comme mot de passe.',
            RUN_CHECK_AGAIN.fr,
          ],
          en: [
            'In the Scaleway console, open Transactional Email → your domain → SMTP configuration and copy the Project ID as the username.',
            'Create an API key (IAM) with Transactional Email permissions and paste its secret key as the password.',
            RUN_CHECK_AGAIN.en,
          ],
        },
      },
    },
  },

  'gmail-app-password-required': {
    title: { fr: 'Google exige un mot de passe d’application', en: 'Google requires an app password' },
    cause: {
      fr: 'Google refuse la connexion avec le mot de passe habituel du compte : une application comme Relais doit utiliser un mot de passe d’application (ou la connexion avec Google).',
      en: 'Google refuses to sign in with the account’s usual password: an application such as Relais must use an app password (or Sign in with Google).',
    },
    fix: {
      fr: [
        'Connectez-vous au compte Google et vérifiez dans myaccount.google.com → Sécurité que la validation en deux étapes est activée.',
        'Ouvrez myaccount.google.com/apppasswords et créez un mot de passe d’application nommé « Relais ».',
        'Collez les 16 caractères, sans les espaces, dans le champ Mot de passe des réglages SMTP.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Sign in to the Google account and check in myaccount.google.com → Security that 2-Step Verification is on.',
        'Open myaccount.google.com/apppasswords and create an app password named “Relais”.',
        'Paste the 16 characters, without the spaces, into the Password field of the SMTP settings.',
        RUN_CHECK_AGAIN.en,
      ],
    },
    byPreset: {
      'google-workspace': {
        fix: {
          fr: [
            'Vérifiez que la validation en deux étapes est activée pour le compte ; si l’option n’apparaît pas, demandez à l’administrateur Google Workspace de l’autoriser (console d’administration → Sécurité → Authentification).',
            'Créez un mot de passe d’application sur myaccount.google.com/apppasswords, ou choisissez plutôt « Se connecter avec Google » (OAuth) dans les réglages SMTP.',
            'Collez les 16 caractères, sans les espaces, dans le champ Mot de passe.',
            RUN_CHECK_AGAIN.fr,
          ],
          en: [
            'Check that 2-Step Verification is on for the account; if the option is missing, ask the Google Workspace administrator to allow it (Admin console → Security → Authentication).',
            'Create an app password at myaccount.google.com/apppasswords, or choose “Sign in with Google” (OAuth) in the SMTP settings instead.',
            'Paste the 16 characters, without the spaces, into the Password field.',
            RUN_CHECK_AGAIN.en,
          ],
        },
      },
    },
  },

  'microsoft-smtp-auth-disabled': {
    title: { fr: 'L’authentification SMTP est désactivée chez Microsoft', en: 'SMTP authentication is turned off at Microsoft' },
    cause: {
      fr: 'Microsoft refuse la connexion parce que l’authentification SMTP (SMTP AUTH) est désactivée pour l’organisation ou pour cette boîte aux lettres, ou bloquée par les paramètres de sécurité par défaut. Elle est désactivée d’office sur les organisations récentes.',
      en: 'Microsoft refuses the sign-in because SMTP authentication (SMTP AUTH) is turned off for the organization or for this mailbox, or blocked by the security defaults. It is off by default on recent organizations.',
    },
    fix: {
      fr: [
        'Demandez à un administrateur Microsoft 365 d’ouvrir le Centre d’administration Microsoft 365 → Utilisateurs → Utilisateurs actifs → la boîte d’envoi → Courrier → Gérer les applications de messagerie.',
        'Cochez « SMTP authentifié » et enregistrez.',
        'Si c’est encore refusé, l’administrateur vérifie dans le Centre d’administration Exchange → Paramètres → Flux de messagerie que « Désactiver le protocole SMTP AUTH pour votre organisation » est décoché ; si l’organisation utilise les paramètres de sécurité par défaut, choisissez « Se connecter avec Microsoft » (OAuth) dans les réglages SMTP.',
        'Le changement peut prendre jusqu’à une heure : relancez ensuite la vérification.',
      ],
      en: [
        'Ask a Microsoft 365 administrator to open the Microsoft 365 admin center → Users → Active users → the sending mailbox → Mail → Manage email apps.',
        'Tick “Authenticated SMTP” and save.',
        'If it is still refused, the administrator checks in the Exchange admin center → Settings → Mail flow that “Turn off SMTP AUTH protocol for your organization” is unticked; if the organization uses security defaults, choose “Sign in with Microsoft” (OAuth) in the SMTP settings.',
        'The change can take up to an hour to apply: then run the check again.',
      ],
    },
  },

  'microsoft-basic-auth-retired': {
    title: { fr: 'Microsoft n’accepte plus le mot de passe pour SMTP', en: 'Microsoft no longer accepts a password for SMTP' },
    cause: {
      fr: 'Microsoft a retiré l’authentification de base (identifiant et mot de passe) pour l’envoi SMTP de ce compte : il faut une authentification moderne (OAuth).',
      en: 'Microsoft has retired basic authentication (username and password) for SMTP sending on this account: it requires modern authentication (OAuth).',
    },
    fix: {
      fr: [
        'Dans les réglages SMTP, choisissez « Se connecter avec Microsoft » (OAuth) comme méthode d’authentification.',
        'Connectez-vous avec le compte de la boîte d’envoi et acceptez l’autorisation demandée.',
        'Vérifiez que « SMTP authentifié » est activé pour cette boîte (Centre d’administration Microsoft 365 → Utilisateurs actifs → Courrier → Gérer les applications de messagerie).',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'In the SMTP settings, choose “Sign in with Microsoft” (OAuth) as the authentication method.',
        'Sign in with the sending mailbox’s account and accept the requested permission.',
        'Check that “Authenticated SMTP” is enabled for this mailbox (Microsoft 365 admin center → Active users → Mail → Manage email apps).',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'auth-required': {
    title: { fr: 'Le serveur exige une authentification', en: 'The server requires authentication' },
    cause: {
      fr: 'Le serveur demande de s’authentifier avant d’accepter un message, et Relais ne l’a pas fait : aucun identifiant n’est renseigné, ou le serveur ne propose l’authentification que sur une connexion chiffrée.',
      en: 'The server asks for authentication before accepting a message, and Relais did not authenticate: no username is set, or the server only offers authentication over an encrypted connection.',
    },
    fix: {
      fr: [
        'Activez l’authentification dans les réglages SMTP et saisissez l’identifiant et le mot de passe du compte d’envoi.',
        'Utilisez le port 587 avec STARTTLS, ou 465 avec TLS : beaucoup de serveurs ne proposent l’authentification qu’une fois la connexion chiffrée.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Turn on authentication in the SMTP settings and enter the username and password of the sending account.',
        'Use port 587 with STARTTLS, or 465 with TLS: many servers only offer authentication once the connection is encrypted.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'auth-not-supported': {
    title: { fr: 'Le serveur ne propose pas d’authentification ici', en: 'The server offers no authentication here' },
    cause: {
      fr: 'Le serveur n’accepte pas d’authentification sur ce port ou avec cette méthode. Vous êtes probablement connecté au serveur de réception du domaine (MX) plutôt qu’à son serveur d’envoi.',
      en: 'The server does not accept authentication on this port or with this method. You are probably connected to the domain’s receiving server (MX) rather than its sending server.',
    },
    fix: {
      fr: [
        'Vérifiez le serveur : utilisez le serveur d’envoi SMTP indiqué par votre fournisseur, pas le serveur MX, IMAP ou POP.',
        'Utilisez le port 587 avec STARTTLS, ou 465 avec TLS.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the host: use the outgoing SMTP server your provider documents, not the MX, IMAP or POP server.',
        'Use port 587 with STARTTLS, or 465 with TLS.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-authorization-expired': {
    title: { fr: 'L’autorisation d’envoi a expiré', en: 'The sending authorization has expired' },
    cause: {
      fr: 'Relais n’a pas pu obtenir de jeton d’accès pour ce compte : l’autorisation donnée à Relais a expiré ou a été retirée (mot de passe changé, accès révoqué par un administrateur).',
      en: 'Relais could not get an access token for this account: the authorization given to Relais has expired or was withdrawn (password changed, access revoked by an administrator).',
    },
    fix: {
      fr: [
        'Dans les réglages SMTP, cliquez de nouveau sur « Se connecter avec Microsoft » ou « Se connecter avec Google ».',
        'Connectez-vous avec le compte de la boîte d’envoi et acceptez l’autorisation demandée.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'In the SMTP settings, click “Sign in with Microsoft” or “Sign in with Google” again.',
        'Sign in with the sending mailbox’s account and accept the requested permission.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },
} satisfies Record<string, Explanation>;
