// Postmark: the Server API token is both the SMTP username and the password. Postmark offers
// STARTTLS only (25, 587, 2525); nothing listens on 465.
import type { Preset } from './preset.ts';

export const postmark: Preset = {
  id: 'postmark',
  name: 'Postmark',
  mark: { initials: 'P', color: '#FFDE00' },
  host: 'smtp.postmarkapp.com',
  port: 587,
  security: 'starttls',
  alternatives: [
    { port: 2525, security: 'starttls' },
    { port: 25, security: 'starttls' },
  ],
  usernameHint: {
    fr: 'Le jeton Server API de votre serveur Postmark : la même valeur sert d’identifiant et de mot de passe.',
    en: 'Your Postmark server’s Server API token: the same value is the username and the password.',
  },
  passwordLabel: { fr: 'Jeton Server API', en: 'Server API token' },
  limits: {
    // Postmark: no daily quota beyond the plan's monthly volume; 50 recipients per message;
    // "limit the total number of connections to our SMTP endpoint to 10 concurrent
    // connections, per IP". Every organisation Relais sends for through Postmark shares
    // Relais's addresses, hence a smaller pool per relay.
    maxRecipientsPerMessage: 50,
    maxConnections: 3,
    basis: {
      fr: 'Postmark n’impose pas de quota quotidien au-delà du volume mensuel de votre formule. Il accepte 50 destinataires par message et demande de ne pas dépasser 10 connexions simultanées par adresse IP, partagées par toutes les organisations pour lesquelles Relais envoie ; Relais s’en tient à trois par relais.',
      en: 'Postmark sets no daily quota beyond your plan’s monthly volume. It accepts 50 recipients per message and asks senders to stay within 10 simultaneous connections per IP address, shared by every organisation Relais sends for; Relais keeps to three per relay.',
    },
  },
  guide: {
    fr: [
      'Dans Postmark, ouvrez Sender Signatures et ajoutez votre domaine (publiez les enregistrements DKIM et Return-Path indiqués) ou une signature pour votre adresse d’expédition, puis confirmez-la.',
      'Ouvrez Servers, sélectionnez le serveur qui enverra (ou créez-en un), puis l’onglet API Tokens.',
      'Copiez le Server API token.',
      'Dans Relais, collez ce jeton comme identifiant et comme mot de passe, et envoyez depuis une adresse ou un domaine confirmé.',
      'Lancez la vérification.',
    ],
    en: [
      'In Postmark, open Sender Signatures and add your domain (publish the DKIM and Return-Path records shown) or a signature for your sender address, then confirm it.',
      'Open Servers, select the server that will send (or create one), then the API Tokens tab.',
      'Copy the Server API token.',
      'In Relais, paste this token as both the username and the password, and send from a confirmed address or domain.',
      'Run the check.',
    ],
  },
  notices: [
    {
      level: 'info',
      text: {
        fr: 'Tant que Postmark n’a pas approuvé votre compte, il ne délivre qu’aux adresses de votre propre domaine. Les messages passent par le flux transactionnel par défaut du serveur.',
        en: 'Until Postmark approves your account, it only delivers to addresses on your own domain. Messages go through the server’s default transactional stream.',
      },
    },
  ],
  docsUrl: 'https://postmarkapp.com/support/article/811-what-are-the-smtp-details-api-tokens-i-should-be-using',
};
