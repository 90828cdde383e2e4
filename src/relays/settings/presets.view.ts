// HTTP shape of GET /v1/smtp-presets: each provider preset (presets/preset.ts) as served, so the
// OpenAPI document, the typed client and the settings UI all read the same description.
import { z } from 'zod';
import { PRESET_IDS } from './presets.ts';
import { CONNECT_PROVIDERS } from './relay-connect.ts';

const localized = z.object({ fr: z.string(), en: z.string() });
const security = z.enum(['tls', 'starttls', 'none']);
const endpoint = z.object({ port: z.number(), security });
// Arrays read-only: the presets are frozen data.
const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
const guide = z.object({ fr: list(z.string()), en: list(z.string()) });

export const presetView = z.object({
  id: z.enum(PRESET_IDS),
  name: z.string(),
  mark: z.object({ initials: z.string(), color: z.string() }),
  host: z.string().nullable().describe('Null when the owner must pick one of `hostChoices` (or type their own, for `custom`).'),
  hostChoices: list(z.object({ host: z.string(), label: localized, endpoint: endpoint.optional() })).optional(),
  port: z.number(),
  security,
  alternatives: list(endpoint).optional(),
  usernameHint: localized,
  fixedUsername: z.string().optional(),
  passwordLabel: localized,
  limits: z.object({
    messagesPerSecond: z.number().optional(),
    messagesPerMinute: z.number().optional(),
    messagesPerHour: z.number().optional(),
    messagesPerDay: z.number().optional(),
    recipientsPerDay: z.number().optional(),
    maxConnections: z.number(),
    maxRecipientsPerMessage: z.number().optional(),
    basis: localized,
  }),
  guide: guide.describe('Numbered steps: the array order gives the numbers.'),
  notices: list(z.object({ level: z.enum(['info', 'warning']), text: localized })).optional(),
  docsUrl: z.string().optional(),
  authMethods: list(
    z.object({
      type: z.enum(['oauth2-microsoft', 'oauth2-google', 'password']),
      label: localized,
      recommended: z.boolean(),
      guide: guide.optional(),
    }),
  )
    .optional()
    .describe('Sign-in methods the provider accepts, the recommended first; absent: username and password only.'),
  connect: z.enum(CONNECT_PROVIDERS).optional().describe('The provider whose "Connect with …" button this preset shows, when the platform offers it (`connectProviders`).'),
});

export const presetListView = z.object({
  presets: list(presetView),
  connectProviders: z.array(z.enum(CONNECT_PROVIDERS)).describe('Providers whose application the platform registered: "Connect with Microsoft / Google" is offered for these only.'),
});

