// Explanations for OAuth2 app sign-in (Microsoft 365 and Google Workspace without passwords):
// the token endpoint refusing the application's credentials, and a server refusing the token;
// and for a mailbox connected with "Connect with Microsoft / Google", the authorization gone.
import type { Explanation } from './explanation.ts';

const RUN_CHECK_AGAIN = { fr: 'Enregistrez, puis relancez la vérification.', en: 'Save, then run the check again.' };
const ENTRA_APP = {
  fr: 'Dans le centre d’administration Microsoft Entra (entra.microsoft.com), ouvrez Applications › Inscriptions d’applications, puis l’application utilisée par Relais.',
  en: 'In the Microsoft Entra admin center (entra.microsoft.com), open Applications › App registrations, then the application Relais uses.',
};

export const oauthExplanations = {
  'oauth-client-secret-invalid': {
    title: { fr: 'Secret client refusé par Microsoft', en: 'Client secret rejected by Microsoft' },
    cause: {
      fr: 'Microsoft a refusé le secret client de l’application (AADSTS7000215). Le plus souvent, c’est l’identifiant du secret (« ID du secret ») qui a été collé au lieu de sa valeur.',
      en: 'Microsoft rejected the application’s client secret (AADSTS7000215). Most often the secret’s ID (“Secret ID”) was pasted instead of its value.',
    },
    fix: {
      fr: [
        ENTRA_APP.fr,
        'Dans Certificats et secrets › Secrets client, créez un nouveau secret et copiez sa colonne « Valeur » aussitôt : elle n’est affichée qu’une fois.',
        'Collez cette valeur dans le champ Secret client de Relais (pas l’« ID du secret »).',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        ENTRA_APP.en,
        'In Certificates & secrets › Client secrets, create a new secret and copy its “Value” column at once: it is shown only once.',
        'Paste that value into Relais’s Client secret field (not the “Secret ID”).',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-client-secret-expired': {
    title: { fr: 'Le secret client a expiré', en: 'The client secret has expired' },
    cause: {
      fr: 'Le secret client de l’application a dépassé sa date d’expiration (AADSTS7000222) : Microsoft ne délivre plus de jeton avec lui.',
      en: 'The application’s client secret is past its expiry date (AADSTS7000222): Microsoft no longer issues tokens with it.',
    },
    fix: {
      fr: [
        ENTRA_APP.fr,
        'Dans Certificats et secrets › Secrets client, créez un nouveau secret et copiez sa « Valeur ».',
        'Collez-la dans le champ Secret client de Relais et indiquez sa date d’expiration : Relais vous préviendra 30 et 7 jours avant.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        ENTRA_APP.en,
        'In Certificates & secrets › Client secrets, create a new secret and copy its “Value”.',
        'Paste it into Relais’s Client secret field and enter its expiry date: Relais will remind you 30 and 7 days before.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-app-not-found': {
    title: { fr: 'Application introuvable dans ce locataire', en: 'Application not found in this tenant' },
    cause: {
      fr: 'Microsoft ne trouve pas d’application avec cet ID d’application (client) dans ce locataire (AADSTS700016) : l’ID est erroné, ou l’application appartient à un autre locataire.',
      en: 'Microsoft finds no application with this Application (client) ID in this tenant (AADSTS700016): the ID is wrong, or the application belongs to another tenant.',
    },
    fix: {
      fr: [
        ENTRA_APP.fr,
        'Sur la page Vue d’ensemble, copiez l’« ID d’application (client) » et l’« ID de l’annuaire (locataire) ».',
        'Collez-les dans les champs ID client et ID de locataire de Relais.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        ENTRA_APP.en,
        'On the Overview page, copy the “Application (client) ID” and the “Directory (tenant) ID”.',
        'Paste them into Relais’s Client ID and Tenant ID fields.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-tenant-not-found': {
    title: { fr: 'Locataire Microsoft introuvable', en: 'Microsoft tenant not found' },
    cause: {
      fr: 'Microsoft ne connaît pas l’ID de locataire saisi (AADSTS90002).',
      en: 'Microsoft does not know the tenant ID entered (AADSTS90002).',
    },
    fix: {
      fr: [
        'Dans le centre d’administration Microsoft Entra, ouvrez Vue d’ensemble et copiez l’« ID de locataire » (un identifiant comme 72f988bf-86f1-41af-91ab-2d7cd011db47).',
        'Collez-le dans le champ ID de locataire de Relais, sans espace.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'In the Microsoft Entra admin center, open Overview and copy the “Tenant ID” (an identifier such as 72f988bf-86f1-41af-91ab-2d7cd011db47).',
        'Paste it into Relais’s Tenant ID field, with no spaces.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-consent-missing': {
    title: { fr: 'Consentement administrateur manquant', en: 'Admin consent missing' },
    cause: {
      fr: 'L’application n’a pas reçu le consentement d’un administrateur pour la permission SMTP.SendAsApp (AADSTS65001).',
      en: 'The application has not been granted admin consent for the SMTP.SendAsApp permission (AADSTS65001).',
    },
    fix: {
      fr: [
        ENTRA_APP.fr,
        'Dans Autorisations de l’API, ajoutez Office 365 Exchange Online › Autorisations de l’application › SMTP.SendAsApp.',
        'Cliquez sur « Accorder un consentement d’administrateur » pour le locataire ; la colonne État doit indiquer « Accordé ».',
        'Attendez jusqu’à 30 minutes que la permission s’applique, puis relancez la vérification.',
      ],
      en: [
        ENTRA_APP.en,
        'In API permissions, add Office 365 Exchange Online › Application permissions › SMTP.SendAsApp.',
        'Click “Grant admin consent” for the tenant; the Status column must read “Granted”.',
        'Wait up to 30 minutes for the permission to apply, then run the check again.',
      ],
    },
  },

  'oauth-token-endpoint-unreachable': {
    title: { fr: 'Service de connexion injoignable', en: 'Sign-in service unreachable' },
    cause: {
      fr: 'Relais n’a pas pu joindre le service de connexion du fournisseur pour obtenir un jeton d’accès (pas de réponse, ou une réponse qui n’est pas celle d’un service OAuth).',
      en: 'Relais could not reach the provider’s sign-in service to get an access token (no answer, or an answer that is not an OAuth service’s).',
    },
    fix: {
      fr: [
        'Relancez la vérification dans quelques minutes : le service du fournisseur est peut-être momentanément indisponible.',
        'Si le problème persiste, contactez l’équipe de la plateforme : la connexion de Relais vers le service du fournisseur est peut-être bloquée.',
      ],
      en: [
        'Run the check again in a few minutes: the provider’s service may be briefly unavailable.',
        'If it persists, contact the platform’s team: Relais’s connection to the provider’s service may be blocked.',
      ],
    },
  },

  'oauth-google-delegation-missing': {
    title: { fr: 'Délégation au niveau du domaine non accordée', en: 'Domain-wide delegation not granted' },
    cause: {
      fr: 'Google refuse que le compte de service agisse pour cette boîte (unauthorized_client) : la délégation au niveau du domaine n’est pas accordée à son ID client pour le champ d’application https://mail.google.com/.',
      en: 'Google refuses to let the service account act for this mailbox (unauthorized_client): domain-wide delegation is not granted to its client ID for the https://mail.google.com/ scope.',
    },
    fix: {
      fr: [
        'Dans la console d’administration Google (admin.google.com), ouvrez Sécurité › Accès et contrôle des données › Commandes des API › Gérer la délégation au niveau du domaine.',
        'Cliquez sur « Ajouter », saisissez l’ID client du compte de service (le champ client_id du fichier de clé) et le champ d’application https://mail.google.com/.',
        'Attendez quelques minutes que la délégation s’applique, puis relancez la vérification.',
      ],
      en: [
        'In the Google Admin console (admin.google.com), open Security › Access and data control › API controls › Manage Domain Wide Delegation.',
        'Click “Add new”, enter the service account’s client ID (the key file’s client_id) and the scope https://mail.google.com/.',
        'Wait a few minutes for the delegation to apply, then run the check again.',
      ],
    },
  },

  'oauth-google-grant-invalid': {
    title: { fr: 'Google a refusé la demande de jeton', en: 'Google refused the token request' },
    cause: {
      fr: 'Google a refusé l’assertion du compte de service (invalid_grant) : l’utilisateur n’existe pas dans le domaine, la clé a été supprimée ou ne correspond plus au compte, ou l’horloge du serveur est décalée.',
      en: 'Google refused the service account’s assertion (invalid_grant): the user does not exist in the domain, the key was deleted or no longer matches the account, or the server’s clock is off.',
    },
    fix: {
      fr: [
        'Vérifiez l’utilisateur : l’adresse complète d’une boîte existante de votre domaine Google Workspace (pas un alias ni un groupe).',
        'Dans la console Google Cloud, ouvrez IAM et administration › Comptes de service › le compte › Clés, vérifiez que la clé existe encore, sinon créez-en une (JSON) et importez-la dans Relais.',
        'Si le problème persiste, contactez l’équipe de la plateforme : l’horloge du serveur de Relais est peut-être décalée.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the user: the full address of an existing mailbox of your Google Workspace domain (not an alias or a group).',
        'In the Google Cloud console, open IAM & Admin › Service accounts › the account › Keys; check the key still exists, else create one (JSON) and upload it to Relais.',
        'If it persists, contact the platform’s team: the clock of Relais’s server may be off.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-app-sign-in-failed': {
    title: { fr: 'Connexion de l’application refusée', en: 'Application sign-in refused' },
    cause: {
      fr: 'Le service de connexion du fournisseur a refusé de délivrer un jeton d’accès à l’application avec les réglages saisis.',
      en: 'The provider’s sign-in service refused to issue an access token to the application with the settings entered.',
    },
    fix: {
      fr: [
        'Vérifiez l’ID de locataire, l’ID client et le secret (Microsoft) ou le fichier de clé du compte de service (Google).',
        'Suivez de nouveau le guide de votre fournisseur dans les réglages SMTP.',
        RUN_CHECK_AGAIN.fr,
      ],
      en: [
        'Check the tenant ID, client ID and secret (Microsoft) or the service account key file (Google).',
        'Follow your provider’s guide in the SMTP settings again.',
        RUN_CHECK_AGAIN.en,
      ],
    },
  },

  'oauth-token-refused': {
    title: { fr: 'Le serveur a refusé le jeton d’accès', en: 'The server refused the access token' },
    cause: {
      fr: 'Un jeton d’accès valide a été obtenu, mais le serveur SMTP refuse de l’accepter pour cette boîte.',
      en: 'A valid access token was obtained, but the SMTP server does not accept it for this mailbox.',
    },
    fix: {
      fr: ['Vérifiez que l’utilisateur est bien l’adresse de la boîte d’envoi.', 'Suivez de nouveau le guide de votre fournisseur dans les réglages SMTP.', RUN_CHECK_AGAIN.fr],
      en: ['Check that the user is the sending mailbox’s address.', 'Follow your provider’s guide in the SMTP settings again.', RUN_CHECK_AGAIN.en],
    },
    byPreset: {
      'microsoft-365': {
        cause: {
          fr: 'Microsoft a délivré un jeton, mais Exchange Online le refuse pour cette boîte (535 5.7.3) : le principal de service de l’application n’est pas inscrit dans Exchange, il n’a pas de droits sur la boîte, ou SMTP AUTH est désactivé pour la boîte.',
          en: 'Microsoft issued a token, but Exchange Online refuses it for this mailbox (535 5.7.3): the application’s service principal is not registered in Exchange, has no rights on the mailbox, or SMTP AUTH is disabled for the mailbox.',
        },
        fix: {
          fr: [
            'Dans Exchange Online PowerShell (Connect-ExchangeOnline), inscrivez le principal de service avec l’ID de l’objet de l’application d’entreprise (Entra › Applications d’entreprise, pas l’inscription d’application) : New-ServicePrincipal -AppId <ID client> -ObjectId <ID d’objet>.',
            'Donnez-lui accès à la boîte : Add-MailboxPermission -Identity <boîte> -User <ID du principal de service> -AccessRights FullAccess.',
            'Activez SMTP AUTH pour la boîte : Set-CASMailbox -Identity <boîte> -SmtpClientAuthenticationDisabled $false.',
            'Attendez jusqu’à 30 minutes que les droits s’appliquent, puis relancez la vérification.',
          ],
          en: [
            'In Exchange Online PowerShell (Connect-ExchangeOnline), register the service principal with the enterprise application’s object ID (Entra › Enterprise applications, not the app registration): New-ServicePrincipal -AppId <client ID> -ObjectId <object ID>.',
            'Give it access to the mailbox: Add-MailboxPermission -Identity <mailbox> -User <service principal ID> -AccessRights FullAccess.',
            'Turn on SMTP AUTH for the mailbox: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false.',
            'Wait up to 30 minutes for the rights to apply, then run the check again.',
          ],
        },
      },
      'google-workspace': {
        cause: {
          fr: 'Google a délivré un jeton, mais Gmail le refuse (un défi 334 avec une erreur, puis 535) : le jeton n’est pas valable pour cet utilisateur ou n’a pas le champ d’application https://mail.google.com/.',
          en: 'Google issued a token, but Gmail refuses it (a 334 challenge carrying an error, then 535): the token is not valid for this user or lacks the https://mail.google.com/ scope.',
        },
        fix: {
          fr: [
            'Vérifiez que l’utilisateur est l’adresse principale d’une boîte Gmail de votre domaine, avec Gmail activé pour ce compte.',
            'Dans la console d’administration Google, Sécurité › Commandes des API › Délégation au niveau du domaine, vérifiez que le champ d’application est exactement https://mail.google.com/.',
            RUN_CHECK_AGAIN.fr,
          ],
          en: [
            'Check that the user is the primary address of a Gmail mailbox of your domain, with Gmail turned on for that account.',
            'In the Google Admin console, Security › API controls › Domain-wide delegation, check the scope is exactly https://mail.google.com/.',
            RUN_CHECK_AGAIN.en,
          ],
        },
      },
    },
  },

  'oauth-reconnect': {
    title: { fr: 'Reconnectez la boîte d’envoi', en: 'Reconnect the sending mailbox' },
    cause: {
      fr: 'Le fournisseur n’accepte plus l’autorisation donnée avec « Se connecter avec Microsoft / Google » : elle a été révoquée, le mot de passe du compte a changé, l’accès de l’application a été retiré, ou elle est restée inutilisée trop longtemps.',
      en: 'The provider no longer accepts the authorization given with “Connect with Microsoft / Google”: it was revoked, the account’s password changed, the application’s access was removed, or it went unused for too long.',
    },
    fix: {
      fr: [
        'Dans les réglages SMTP, cliquez sur « Se reconnecter avec Microsoft » ou « Se reconnecter avec Google ».',
        'Connectez-vous avec la boîte d’envoi et acceptez l’accès demandé.',
        'La vérification se relance aussitôt ; activez ensuite le relais.',
      ],
      en: [
        'In the SMTP settings, click “Sign in with Microsoft again” or “Sign in with Google again”.',
        'Sign in with the sending mailbox and accept the access requested.',
        'The check runs again at once; then activate the relay.',
      ],
    },
  },
} satisfies Record<string, Explanation>;

/** Explanations a sign-in check (a probe) can tell are fixed. */
export const OAUTH_EXPLANATION_IDS = Object.keys(oauthExplanations) as (keyof typeof oauthExplanations)[];
