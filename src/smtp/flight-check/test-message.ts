// The flight check's test email: short, bilingual, composed exactly as delivery composes mail.
import { randomUUID } from 'node:crypto';
import { composeMessage } from '../compose.ts';

export interface TestMessageInput {
  from: string;
  to: string;
  host: string;
  port: number;
  date: Date;
  /** Domain of the Message-ID; defaults to the sender's domain. */
  messageIdDomain?: string;
}

export async function composeTestMessage(input: TestMessageInput): Promise<{ raw: Buffer; messageId: string }> {
  const domain = input.messageIdDomain ?? input.from.split('@').pop() ?? 'relais.invalid';
  const messageId = `<flight-check.${randomUUID()}@${domain}>`;
  const server = `${input.host} (port ${input.port})`;
  const text = [
    'Bonjour,',
    '',
    `Cet e-mail de test a été envoyé par Relais via le serveur SMTP ${server} pour vérifier les réglages d’envoi.`,
    'S’il vous parvient, l’envoi fonctionne : vous n’avez rien d’autre à faire.',
    '',
    '---',
    '',
    'Hello,',
    '',
    `This test email was sent by Relais through the SMTP server ${server} to check the sending settings.`,
    'If you are reading it, sending works: there is nothing else to do.',
    '',
  ].join('\n');
  const raw = await composeMessage({
    content: {
      to: [{ address: input.to }],
      cc: [],
      bcc: [],
      subject: 'Relais : e-mail de test / test email',
      text,
      headers: {},
      attachments: [],
    },
    from: { address: input.from },
    messageId,
    date: input.date,
    headers: { 'X-Relais-Flight-Check': 'test-email' },
  });
  return { raw, messageId };
}
