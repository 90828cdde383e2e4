// Structured logs: ids and outcomes, never bodies, recipients or secrets.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field names whose values are removed from every log line, wherever they appear. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'pass',
  '*.pass',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'to',
  'cc',
  'bcc',
  '*.to',
  '*.cc',
  '*.bcc',
  'text',
  'html',
  'attachments',
  'secretKey',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'relais' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({
          id: req.id,
          method: req.method,
          // The path only: query strings can carry tokens (embed links) and recipients (log filters).
          url: req.url.split('?')[0],
        }),
      },
    },
    destination,
  );
}
