// The emails owners receive about their relay: when it starts failing (what went wrong, how to
// fix it, what happens to their mail meanwhile) and when it works again. In the
// organization's language; text only, so that every mail client shows the same thing.
import type { Locale } from '../../glossary.ts';
import type { ExplainedFailure } from '../../smtp/explanations.ts';
import type { FallbackPolicy } from '../relay.ts';

export interface AlertText {
  subject: string;
  text: string;
}

export interface FailingAlertInput {
  locale: Locale;
  organizationName: string;
  fromEmail: string;
  host: string;
  policy: FallbackPolicy;
  explanation: ExplainedFailure;
  /** The server's reply, sanitized, when it gave one. */
  reply: string | null;
  since: number;
  /** How long held mail waits at most, in hours. */
  maxAgeHours: number;
  settingsUrl: string;
  /** A connected mailbox whose authorization is gone: the page that reconnects it in one click. */
  reconnectUrl?: string;
}

export interface RecoveredAlertInput {
  locale: Locale;
  organizationName: string;
  fromEmail: string;
  policy: FallbackPolicy;
  since: number;
  at: number;
  settingsUrl: string;
}

function when(locale: Locale, at: number): string {
  const format = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  return `${format.format(new Date(at))} UTC`;
}

/** Minutes up to two hours, then hours; written the same way in French and English. */
function duration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

const numbered = (steps: readonly string[]) => steps.map((step, i) => `${i + 1}. ${step}`).join('\n');

export function failingAlert(input: FailingAlertInput): AlertText {
  const { explanation: e } = input;
  const reply = input.reply ?? e.reply ?? null;
  if (input.locale === 'fr') {
    return {
      subject: `Votre serveur d'envoi ne fonctionne plus : ${e.title}`,
      text: [
        'Bonjour,',
        '',
        `Les e-mails de ${input.organizationName} ne partent plus par votre serveur d'envoi (${input.fromEmail}, ${input.host}) depuis le ${when('fr', input.since)}.`,
        '',
        e.title,
        e.cause,
        '',
        'Pour corriger :',
        numbered(e.fix),
        ...(input.reconnectUrl ? ['', `Reconnecter la boîte en un clic : ${input.reconnectUrl}`] : []),
        ...(reply ? ['', `Réponse du serveur : ${reply}`] : []),
        '',
        input.policy === 'fallback'
          ? "En attendant, vos e-mails partent depuis l'adresse de la plateforme, avec votre adresse en « Répondre à »."
          : `En attendant, vos e-mails sont mis en attente : ils partiront par votre serveur dès qu'il fonctionnera de nouveau (ils sont gardés ${input.maxAgeHours} heures au plus).`,
        "Nous réessayons régulièrement et vous écrirons dès que l'envoi fonctionnera de nouveau. Ce message n'est envoyé qu'une fois par interruption.",
        '',
        `Paramètres d'envoi : ${input.settingsUrl}`,
      ].join('\n'),
    };
  }
  return {
    subject: `Your sending server is failing: ${e.title}`,
    text: [
      'Hello,',
      '',
      `Since ${when('en', input.since)}, emails of ${input.organizationName} no longer leave through your sending server (${input.fromEmail}, ${input.host}).`,
      '',
      e.title,
      e.cause,
      '',
      'To fix it:',
      numbered(e.fix),
      ...(input.reconnectUrl ? ['', `Reconnect the mailbox in one click: ${input.reconnectUrl}`] : []),
      ...(reply ? ['', `The server replied: ${reply}`] : []),
      '',
      input.policy === 'fallback'
        ? "Meanwhile, your emails leave from the platform's address, with your address as Reply-To."
        : `Meanwhile, your emails are held: they will leave through your server as soon as it works again (they are kept for at most ${input.maxAgeHours} hours).`,
      'We keep trying and will write to you as soon as sending works again. This message is sent once per interruption.',
      '',
      `Sending settings: ${input.settingsUrl}`,
    ].join('\n'),
  };
}

export function recoveredAlert(input: RecoveredAlertInput): AlertText {
  const lasted = duration(input.at - input.since);
  if (input.locale === 'fr') {
    return {
      subject: "Votre serveur d'envoi fonctionne de nouveau",
      text: [
        'Bonjour,',
        '',
        `Depuis le ${when('fr', input.at)}, les e-mails de ${input.organizationName} partent de nouveau par votre serveur d'envoi (${input.fromEmail}). L'interruption a duré ${lasted}.`,
        input.policy === 'hold' ? 'Les e-mails mis en attente partent maintenant.' : "Les e-mails envoyés entre-temps sont partis depuis l'adresse de la plateforme.",
        '',
        `Paramètres d'envoi : ${input.settingsUrl}`,
      ].join('\n'),
    };
  }
  return {
    subject: 'Your sending server works again',
    text: [
      'Hello,',
      '',
      `Since ${when('en', input.at)}, emails of ${input.organizationName} leave through your sending server (${input.fromEmail}) again. The interruption lasted ${lasted}.`,
      input.policy === 'hold' ? 'Held emails are leaving now.' : "Emails sent meanwhile left from the platform's address.",
      '',
      `Sending settings: ${input.settingsUrl}`,
    ].join('\n'),
  };
}
