// Amazon SES: one SMTP endpoint per AWS region, and SMTP credentials that are valid in one
// region only and are not the account's IAM access keys.
import type { HostChoice, Preset } from './preset.ts';

// Regions near Relais's users first; each one offers the SES SMTP interface.
const REGIONS: readonly { code: string; fr: string; en: string }[] = [
  { code: 'eu-west-3', fr: 'Europe (Paris)', en: 'Europe (Paris)' },
  { code: 'eu-west-1', fr: 'Europe (Irlande)', en: 'Europe (Ireland)' },
  { code: 'eu-central-1', fr: 'Europe (Francfort)', en: 'Europe (Frankfurt)' },
  { code: 'eu-west-2', fr: 'Europe (Londres)', en: 'Europe (London)' },
  { code: 'eu-south-1', fr: 'Europe (Milan)', en: 'Europe (Milan)' },
  { code: 'eu-north-1', fr: 'Europe (Stockholm)', en: 'Europe (Stockholm)' },
  { code: 'us-east-1', fr: 'États-Unis Est (Virginie du Nord)', en: 'US East (N. Virginia)' },
  { code: 'us-east-2', fr: 'États-Unis Est (Ohio)', en: 'US East (Ohio)' },
  { code: 'us-west-2', fr: 'États-Unis Ouest (Oregon)', en: 'US West (Oregon)' },
  { code: 'ca-central-1', fr: 'Canada (Centre)', en: 'Canada (Central)' },
];

const regionChoices: readonly HostChoice[] = REGIONS.map((region) => ({
  host: `email-smtp.${region.code}.amazonaws.com`,
  label: { fr: `${region.fr} — ${region.code}`, en: `${region.en} — ${region.code}` },
}));

export const amazonSes: Preset = {
  id: 'amazon-ses',
  name: 'Amazon SES',
  mark: { initials: 'A', color: '#FF9900' },
  host: null,
  hostChoices: regionChoices,
  port: 587,
  security: 'starttls',
  // SES also listens on 2587 and 2465, which Relais's default port policy does not allow.
  alternatives: [
    { port: 465, security: 'tls' },
    { port: 25, security: 'starttls' },
  ],
  usernameHint: {
    fr: 'Le nom d’utilisateur SMTP créé dans la console Amazon SES. Il ressemble à un identifiant de clé d’accès, mais vos clés d’accès IAM ne fonctionnent pas ici.',
    en: 'The SMTP user name created in the Amazon SES console. It looks like an access key ID, but your IAM access keys do not work here.',
  },
  passwordLabel: { fr: 'Mot de passe SMTP', en: 'SMTP password' },
  limits: {
    // A new SES account starts in the sandbox: 1 message/second, 200 messages per 24 h,
    // verified recipients only; production quotas are set per account (typically 14/s and
    // 50,000/day at first). Pacing at the sandbox rate costs a production account little
    // (86,400 a day); the daily quota is left to SES, which answers "454 Throttling failure"
    // (temporary) when it is reached, so a production account is never held at 200 a day.
    messagesPerSecond: 1,
    maxRecipientsPerMessage: 50,
    maxConnections: 2,
    basis: {
      fr: 'Un compte Amazon SES neuf est en « sandbox » : 1 message par seconde, 200 messages par 24 heures, uniquement vers des adresses vérifiées. Relais envoie au rythme de la sandbox et laisse Amazon appliquer le quota quotidien, qu’il relève quand l’accès production est accordé. 50 destinataires par message.',
      en: 'A new Amazon SES account is in the sandbox: 1 message per second, 200 messages per 24 hours, to verified addresses only. Relais sends at the sandbox rate and leaves the daily quota to Amazon, which raises it once production access is granted. 50 recipients per message.',
    },
  },
  guide: {
    fr: [
      'Ouvrez la console Amazon SES dans la région d’envoi choisie (par exemple Europe (Paris), eu-west-3). Sous Configuration › Identités, cliquez sur Créer une identité et vérifiez votre domaine en publiant les enregistrements DKIM indiqués.',
      'Sous Paramètres SMTP, cliquez sur Créer des informations d’identification SMTP. SES crée un utilisateur IAM : téléchargez ou copiez le nom d’utilisateur SMTP et le mot de passe SMTP, affichés une seule fois. Ils ne valent que dans cette région.',
      'Consultez le Tableau de bord du compte : un compte neuf est en sandbox (destinataires vérifiés uniquement, 200 messages par jour). Cliquez sur Demander un accès en production pour écrire à tout le monde.',
      'Dans Relais, choisissez le serveur de la même région, saisissez le nom d’utilisateur et le mot de passe SMTP, et envoyez depuis une adresse du domaine vérifié.',
      'Lancez la vérification.',
    ],
    en: [
      'Open the Amazon SES console in the region you will send from (e.g. Europe (Paris), eu-west-3). Under Configuration › Identities, click Create identity and verify your domain by publishing the DKIM records shown.',
      'Under SMTP settings, click Create SMTP credentials. SES creates an IAM user: download or copy the SMTP user name and SMTP password, shown only once. They are valid in this region only.',
      'Look at the Account dashboard: a new account is in the sandbox (verified recipients only, 200 messages a day). Click Request production access to send to anyone.',
      'In Relais, choose the server of the same region, enter the SMTP user name and password, and send from an address on the verified domain.',
      'Run the check.',
    ],
  },
  notices: [
    {
      level: 'warning',
      text: {
        fr: 'Tant que votre compte est en sandbox, Amazon SES ne délivre qu’aux adresses vérifiées : l’e-mail de test de la vérification n’arrive que si votre propre adresse est vérifiée elle aussi.',
        en: 'While your account is in the sandbox, Amazon SES only delivers to verified addresses: the check’s test email arrives only if your own address is verified too.',
      },
    },
  ],
  docsUrl: 'https://docs.aws.amazon.com/ses/latest/dg/send-email-smtp.html',
};
