// App sign-in (OAuth2, XOAUTH2) for Microsoft 365 and Google Workspace: how each preset lists
// its sign-in methods, app sign-in first and recommended, each with its numbered guide.
import type { Localized } from './preset.ts';

export interface AuthMethod {
  readonly type: 'oauth2-microsoft' | 'oauth2-google' | 'password';
  readonly label: Localized;
  /** Shown first and marked as recommended. */
  readonly recommended: boolean;
  /** Numbered steps: the array order gives the numbers. Absent: the preset's main guide. */
  readonly guide?: { readonly fr: readonly string[]; readonly en: readonly string[] };
}

export const MICROSOFT_APP_SIGN_IN: AuthMethod = {
  type: 'oauth2-microsoft',
  label: { fr: 'Connexion d’application Microsoft Entra (OAuth2, recommandé)', en: 'Microsoft Entra app sign-in (OAuth2, recommended)' },
  recommended: true,
  guide: {
    fr: [
      'Dans le centre d’administration Microsoft Entra (entra.microsoft.com), ouvrez Applications › Inscriptions d’applications › Nouvelle inscription. Nommez-la « Relais », choisissez « Comptes dans cet annuaire d’organisation uniquement », sans URI de redirection, puis cliquez sur Inscrire.',
      'Sur la page Vue d’ensemble de l’application, copiez l’« ID d’application (client) » et l’« ID de l’annuaire (locataire) ».',
      'Ouvrez Certificats et secrets › Secrets client › Nouveau secret client, choisissez une durée, puis copiez aussitôt la colonne « Valeur » (pas l’« ID du secret ») : elle n’est affichée qu’une fois. Notez la date d’expiration.',
      'Ouvrez Autorisations de l’API › Ajouter une autorisation › API utilisées par mon organisation › Office 365 Exchange Online › Autorisations de l’application › SMTP.SendAsApp › Ajouter des autorisations, puis cliquez sur « Accorder un consentement d’administrateur » pour votre organisation.',
      'Ouvrez Applications › Applications d’entreprise, recherchez « Relais » et copiez son « ID d’objet » : c’est celui de l’application d’entreprise, pas celui de l’inscription d’application.',
      'Dans Exchange Online PowerShell (Connect-ExchangeOnline), inscrivez le principal de service : New-ServicePrincipal -AppId <ID d’application (client)> -ObjectId <ID d’objet de l’application d’entreprise> -DisplayName "Relais".',
      'Donnez-lui accès à la boîte d’envoi : Add-MailboxPermission -Identity formation@votre-domaine.fr -User <ID du principal de service (Get-ServicePrincipal)> -AccessRights FullAccess. Vous pouvez aussi attribuer un rôle RBAC pour les applications limité à cette boîte (New-ManagementScope, puis New-ManagementRoleAssignment).',
      'Activez SMTP AUTH pour la boîte : Set-CASMailbox -Identity formation@votre-domaine.fr -SmtpClientAuthenticationDisabled $false.',
      'Dans Relais, choisissez « Connexion d’application Microsoft Entra », saisissez l’ID de locataire, l’ID client, la valeur du secret et sa date d’expiration, et l’adresse de la boîte comme utilisateur.',
      'Comptez jusqu’à 30 minutes pour que les autorisations s’appliquent, puis lancez la vérification.',
    ],
    en: [
      'In the Microsoft Entra admin center (entra.microsoft.com), open Applications › App registrations › New registration. Name it “Relais”, choose “Accounts in this organizational directory only”, no redirect URI, then click Register.',
      'On the application’s Overview page, copy the “Application (client) ID” and the “Directory (tenant) ID”.',
      'Open Certificates & secrets › Client secrets › New client secret, choose a lifetime, then copy the “Value” column at once (not the “Secret ID”): it is shown only once. Note the expiry date.',
      'Open API permissions › Add a permission › APIs my organization uses › Office 365 Exchange Online › Application permissions › SMTP.SendAsApp › Add permissions, then click “Grant admin consent” for your organization.',
      'Open Applications › Enterprise applications, search for “Relais” and copy its “Object ID”: the enterprise application’s, not the app registration’s.',
      'In Exchange Online PowerShell (Connect-ExchangeOnline), register the service principal: New-ServicePrincipal -AppId <Application (client) ID> -ObjectId <enterprise application Object ID> -DisplayName "Relais".',
      'Give it access to the sending mailbox: Add-MailboxPermission -Identity training@your-domain.com -User <service principal ID (Get-ServicePrincipal)> -AccessRights FullAccess. You may instead assign an RBAC for Applications role scoped to that mailbox (New-ManagementScope, then New-ManagementRoleAssignment).',
      'Turn on SMTP AUTH for the mailbox: Set-CASMailbox -Identity training@your-domain.com -SmtpClientAuthenticationDisabled $false.',
      'In Relais, choose “Microsoft Entra app sign-in”, enter the tenant ID, the client ID, the secret’s value and its expiry date, and the mailbox address as the user.',
      'Allow up to 30 minutes for the permissions to apply, then run the check.',
    ],
  },
};

export const GOOGLE_APP_SIGN_IN: AuthMethod = {
  type: 'oauth2-google',
  label: { fr: 'Compte de service Google (OAuth2, recommandé)', en: 'Google service account (OAuth2, recommended)' },
  recommended: true,
  guide: {
    fr: [
      'Dans la console Google Cloud (console.cloud.google.com), choisissez ou créez un projet, puis ouvrez IAM et administration › Comptes de service › Créer un compte de service. Nommez-le « relais-mailer » ; aucun rôle n’est nécessaire.',
      'Ouvrez le compte de service › Clés › Ajouter une clé › Créer une clé › JSON : un fichier de clé est téléchargé. Gardez-le en lieu sûr.',
      'Dans l’onglet Détails du compte de service, copiez l’« ID unique » (c’est aussi le champ client_id du fichier de clé).',
      'Dans la console d’administration Google (admin.google.com), ouvrez Sécurité › Accès et contrôle des données › Commandes des API › Gérer la délégation au niveau du domaine › Ajouter. Saisissez cet ID client et le champ d’application https://mail.google.com/, puis cliquez sur Autoriser.',
      'Dans Relais, choisissez « Compte de service Google », importez le fichier de clé JSON et saisissez comme utilisateur l’adresse de la boîte qui enverra (un utilisateur de votre domaine).',
      'Lancez la vérification ; la délégation peut mettre quelques minutes à s’appliquer.',
    ],
    en: [
      'In the Google Cloud console (console.cloud.google.com), choose or create a project, then open IAM & Admin › Service accounts › Create service account. Name it “relais-mailer”; it needs no role.',
      'Open the service account › Keys › Add key › Create new key › JSON: a key file downloads. Keep it safe.',
      'On the service account’s Details tab, copy the “Unique ID” (it is also the key file’s client_id).',
      'In the Google Admin console (admin.google.com), open Security › Access and data control › API controls › Manage Domain Wide Delegation › Add new. Enter that client ID and the scope https://mail.google.com/, then click Authorize.',
      'In Relais, choose “Google service account”, upload the JSON key file and enter as the user the address of the mailbox that will send (a user of your domain).',
      'Run the check; the delegation may take a few minutes to apply.',
    ],
  },
};

export const PASSWORD_SIGN_IN: AuthMethod = {
  type: 'password',
  label: { fr: 'Identifiant et mot de passe', en: 'Username and password' },
  recommended: false,
};
