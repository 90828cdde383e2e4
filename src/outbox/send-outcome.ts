// Turns what the SMTP client reported into an attempt outcome for the outbox.
import { sanitizeSmtpText } from '../smtp/smtp-text.ts';

export interface FailureOutcome {
  /** temporary → retry later; permanent → the message failed for good. */
  kind: 'temporary' | 'permanent';
  reply: string | null;
  errorCode: string;
  /** "Try again in N seconds" when the server said so. */
  hintSeconds?: number;
}

interface SmtpClientError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

export function classifySendError(error: unknown): FailureOutcome {
  const e = (error ?? {}) as SmtpClientError;
  const reply = e.response ? sanitizeSmtpText(e.response) : null;
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
    return { kind: 'permanent', reply, errorCode: e.code === 'EAUTH' ? 'smtp_auth_failed' : 'smtp_rejected' };
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return { kind: 'temporary', reply, errorCode: 'smtp_temporary', ...hint(e.response) };
  }
  return { kind: 'temporary', reply: reply ?? describeNetworkError(e), errorCode: 'smtp_connection_failed' };
}

function hint(text: string | undefined): { hintSeconds?: number } {
  const m = text ? /(?:try again|retry)\s+(?:in|after)\s+(\d+)\s*(s|sec|seconds?|m|min|minutes?)\b/i.exec(text) : null;
  if (!m || !m[1] || !m[2]) return {};
  const n = Number(m[1]);
  return { hintSeconds: m[2].toLowerCase().startsWith('m') ? n * 60 : n };
}

function describeNetworkError(e: SmtpClientError): string {
  switch (e.code) {
    case 'ETIMEDOUT':
      return 'Connection timed out';
    case 'ECONNECTION':
    case 'ESOCKET':
      return 'Connection failed or was closed by the server';
    case 'EDNS':
      return 'The server name could not be resolved';
    case 'ETLS':
      return 'TLS negotiation failed';
    default:
      return 'The SMTP server could not be reached';
  }
}
