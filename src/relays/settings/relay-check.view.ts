// HTTP shapes of the flight check (POST …/smtp-relay/check and /verify) and of the security
// detection (POST …/detect): the report of src/smtp/flight-check/types.ts as served.
import { z } from 'zod';
import { PRESET_IDS } from './presets.ts';

const security = z.enum(['tls', 'starttls', 'none']);

const certificate = z.object({
  subject: z.string().optional(),
  subjectAltNames: z.array(z.string()),
  issuer: z.string().optional(),
  validFrom: z.string().optional(),
  validTo: z.string().optional(),
  hostnameMatch: z.boolean().describe('The certificate names the configured host.'),
  trusted: z.boolean().describe('The chain verifies up to a trusted authority and the dates are valid.'),
  fingerprint256: z.string().optional(),
});

const stepData = z.object({
  host: z.string().optional(),
  address: z.string().optional(),
  family: z.union([z.literal(4), z.literal(6)]).optional(),
  port: z.number().optional(),
  reply: z.string().optional().describe("The server's reply to this step, sanitized."),
  greetingHost: z.string().optional(),
  tlsVersion: z.string().optional(),
  cipher: z.string().optional(),
  certificate: certificate.optional(),
  capabilities: z
    .object({
      size: z.number().nullable(),
      pipelining: z.boolean(),
      chunking: z.boolean(),
      smtputf8: z.boolean(),
      eightBitMime: z.boolean(),
      authMechanisms: z.array(z.string()),
      starttls: z.boolean(),
    })
    .optional(),
  authMechanism: z.string().optional(),
  token: z.object({ provider: z.enum(['microsoft', 'google']), expiresInMinutes: z.number() }).optional(),
  sender: z.string().optional(),
  recipient: z.string().optional(),
  messageId: z.string().optional(),
});

/** One step of the check; `explanation` for a warn or a fail, in the reader's language. */
export const checkStepView = z.object({
  id: z.enum(['dns', 'connect', 'greeting', 'tls', 'ehlo', 'auth', 'sender', 'recipient', 'test-email']),
  status: z.enum(['ok', 'warn', 'fail', 'skipped']),
  durationMs: z.number(),
  detail: z.string(),
  data: stepData.optional(),
  explanation: z.object({ id: z.string(), title: z.string(), cause: z.string(), fix: z.array(z.string()), reply: z.string().optional() }).optional(),
});

export const checkReportView = z.object({
  settings: z.object({
    host: z.string(),
    port: z.number(),
    security,
    username: z.string().optional(),
    fromEmail: z.string(),
    toEmail: z.string(),
    preset: z.enum(PRESET_IDS).optional(),
    allowSelfSigned: z.boolean(),
  }),
  locale: z.enum(['fr', 'en']),
  mode: z.enum(['full', 'sign-in']),
  passed: z.boolean().describe('No step failed (warnings do not count).'),
  startedAt: z.string(),
  durationMs: z.number(),
  steps: z.array(checkStepView),
  testEmail: z.object({ to: z.string(), messageId: z.string(), accepted: z.boolean(), reply: z.string().optional() }).optional(),
});

/** POST …/check: the report, and the saved version it verified or withdrew (null for unsaved settings). */
export const checkResultView = z.object({ report: checkReportView, recordedVersion: z.number().nullable() });

/** One line of the streamed check (application/x-ndjson): a finished step, then the result (or an error). */
export const checkStreamLine = z.string().describe(
  'One JSON object a line: `{ "step": … }` for each finished step, then the result as in application/json, or `{ "error": { "code", "message" } }` when the check stopped.',
);

export const detectionView = z.object({
  host: z.string(),
  address: z.string().optional().describe('The address the guard approved.'),
  ports: z.array(
    z.object({
      port: z.number(),
      allowed: z.boolean().describe("false when the port is outside the operator's list: it was not tried."),
      reachable: z.boolean(),
      greeting: z.string().optional(),
      starttls: z.boolean(),
      starttlsWorks: z.boolean(),
      implicitTls: z.boolean(),
      certificate: certificate.optional(),
      authMechanisms: z.array(z.string()),
      authInPlainText: z.boolean(),
      recommendation: security.nullable(),
      problem: z.string().optional().describe('Why this port is unusable, when it is (an explanation id).'),
    }),
  ),
  recommended: z.object({ port: z.number(), security }).nullable(),
  refused: z.object({ code: z.string(), message: z.string() }).optional().describe('The host itself was refused (syntax, DNS, address guard): nothing was tried.'),
});
