// Any other SMTP server: no defaults beyond the submission port, a generic guide.
import type { Preset } from './preset.ts';

export const custom: Preset = {
  id: 'custom',
  name: 'SMTP',
  mark: { initials: 'S', color: '#6B7280' },
  host: null,
  port: 587,
  security: 'starttls',
  alternatives: [
    { port: 465, security: 'tls' },
    { port: 25, security: 'starttls' },
    { port: 2525, security: 'starttls' },
  ],
  usernameHint: {
    fr: 'Souvent l’adresse e-mail complète du compte qui envoie ; votre fournisseur vous l’indique.',
    en: 'Often the full email address of the sending account; your provider tells you.',
  },
  passwordLabel: { fr: 'Mot de passe', en: 'Password' },
  limits: {
    // Nothing is known about the server: a small pool, and its own replies for the rest.
    maxConnections: 2,
    basis: {
      fr: 'Serveur inconnu : Relais s’en tient à deux connexions et ne fixe pas de quota. Demandez ses limites à votre fournisseur.',
      en: 'Unknown server: Relais keeps to two connections and sets no quota. Ask your provider for its limits.',
    },
  },
  guide: {
    fr: [
      'Demandez à votre fournisseur de messagerie ou à votre service informatique le nom du serveur sortant (SMTP), le port, la sécurité et l’identifiant. Par défaut, Relais se connecte aux ports 25, 465, 587 et 2525.',
      'Préférez le port 465 (SSL/TLS) ou 587 (STARTTLS) : tous deux chiffrent le mot de passe. N’utilisez le port 25 que si votre fournisseur le demande.',
      'Utilisez un compte autorisé à envoyer avec l’adresse d’expédition ; une boîte ou un utilisateur SMTP réservé à Relais se révoque facilement plus tard.',
      'Saisissez le serveur, le port, la sécurité, l’identifiant et le mot de passe, puis lancez la vérification : chaque étape signalée indique quoi corriger.',
    ],
    en: [
      'Ask your email provider or IT team for the outgoing (SMTP) server name, port, security and username. By default, Relais connects to ports 25, 465, 587 and 2525.',
      'Prefer port 465 (SSL/TLS) or 587 (STARTTLS): both encrypt the password. Use port 25 only if your provider asks for it.',
      'Use an account allowed to send as the sender address; a mailbox or SMTP user kept for Relais alone is easy to revoke later.',
      'Enter the server, port, security, username and password, then run the check: each step it reports tells you what to fix.',
    ],
  },
};
