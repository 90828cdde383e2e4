import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PRESET_IDS, type Locale } from '../glossary.ts';
import { parseSmtpReply } from './failure.ts';
import type { SmtpFailure, SmtpStage } from './failure.ts';
import { EXPLANATIONS, explain, explainById } from './explanations.ts';
import { REPLY_MAX_LENGTH } from './reply-sanitize.ts';
import type { Explanation, ExplanationId, LocalizedSteps } from './explanations.ts';

const LOCALES: readonly Locale[] = ['fr', 'en'];
const ENTRIES = Object.entries(EXPLANATIONS) as [ExplanationId, Explanation][];

function reply(stage: SmtpStage, raw: string): SmtpFailure {
  const { code, enhanced, text } = parseSmtpReply(raw);
  return { stage, text, ...(code === undefined ? {} : { code }), ...(enhanced === undefined ? {} : { enhanced }) };
}

function assertSteps(steps: LocalizedSteps, where: string): void {
  assert.ok(steps.fr.length > 0, `${where}: no steps`);
  assert.equal(steps.fr.length, steps.en.length, `${where}: French and English step counts differ`);
  for (const locale of LOCALES) {
    for (const step of steps[locale]) {
      assert.match(step, /^[A-ZÀ-Ý“«]/u, `${where} (${locale}) starts a sentence: ${step}`);
      assert.match(step, /[.)]$/, `${where} (${locale}) ends a sentence: ${step}`);
    }
  }
}

describe('the explanation catalog', () => {
  test('holds the explanations the product promises', () => {
    for (const id of [
      'auth-failed', 'gmail-app-password-required', 'microsoft-smtp-auth-disabled', 'microsoft-basic-auth-retired',
      'send-as-denied', 'relaying-denied', 'starttls-required', 'certificate-expired', 'certificate-hostname-mismatch',
      'certificate-untrusted', 'tls-mode-mismatch', 'connection-timeout', 'connection-refused', 'host-not-found',
      'greeting-timeout', 'message-too-large', 'recipient-unknown', 'mailbox-full', 'rate-limited', 'temporary-failure',
      'unexpected-reply', 'relay-timeout',
    ]) {
      assert.ok(id in EXPLANATIONS, id);
    }
  });

  for (const [id, entry] of ENTRIES) {
    test(`${id}: French and English title, cause and steps`, () => {
      for (const locale of LOCALES) {
        assert.ok(entry.title[locale].length > 0 && !entry.title[locale].endsWith('.'), `${id} title (${locale})`);
        assert.ok(entry.cause[locale].length > 0, `${id} cause (${locale})`);
      }
      assertSteps(entry.fix, id);
      for (const [preset, variant] of Object.entries(entry.byPreset ?? {})) {
        assert.ok((PRESET_IDS as readonly string[]).includes(preset), `${id}: unknown preset ${preset}`);
        assert.ok(variant && (variant.cause || variant.fix), `${id}/${preset}: empty variant`);
        if (variant?.cause) for (const locale of LOCALES) assert.ok(variant.cause[locale].length > 0);
        if (variant?.fix) assertSteps(variant.fix, `${id}/${preset}`);
      }
    });
  }

  test('French addresses the owner as “vous” and uses typographic apostrophes', () => {
    const french = ENTRIES.flatMap(([, entry]) => [
      entry.title.fr,
      entry.cause.fr,
      ...entry.fix.fr,
      ...Object.values(entry.byPreset ?? {}).flatMap((variant) => [variant?.cause?.fr ?? '', ...(variant?.fix?.fr ?? [])]),
    ]);
    for (const text of french) {
      assert.doesNotMatch(text, /(?<!\p{L})(tu|ton|ta|tes|toi)(?!\p{L})/iu, text);
      assert.doesNotMatch(text, /'/, text);
    }
  });
});

describe('explain', () => {
  test('Gmail’s refused password, generic then for the Gmail preset', () => {
    const failure = reply('auth', '535-5.7.8 Username and Password not accepted. For more information, go to 535 5.7.8  https://support.google.com/mail/?p=BadCredentials');
    const generic = explain(failure, { locale: 'en' });
    assert.equal(generic.id, 'auth-failed');
    assert.deepEqual(generic.fix, EXPLANATIONS['auth-failed'].fix.en);
    const gmail = explain(failure, { preset: 'gmail', locale: 'fr' });
    assert.equal(gmail.title, 'Identifiant ou mot de passe refusé');
    assert.match(gmail.cause, /mot de passe d’application/);
    assert.match(gmail.fix.join(' '), /myaccount\.google\.com\/apppasswords/);
  });

  test('provider-specific steps for a refused password', () => {
    const failure = reply('auth', '535 Authentication failed: Bad username / password');
    assert.match(explain(failure, { preset: 'sendgrid', locale: 'en' }).fix.join(' '), /enter apikey/);
    assert.match(explain(failure, { preset: 'amazon-ses', locale: 'en' }).cause, /not IAM|differ from IAM access keys/);
    assert.match(explain(failure, { preset: 'google-workspace', locale: 'en' }).fix.join(' '), /app password/);
  });

  test('provider variants are keyed by preset id: an unknown or renamed preset does not compile', () => {
    // @ts-expect-error 'gmial' is not a preset id (typecheck fails here if byPreset took any string)
    const misspelled: Explanation['byPreset'] = { gmial: { cause: { fr: 'x', en: 'x' } } };
    // @ts-expect-error explaining for a preset that does not exist does not compile either
    const options: Parameters<typeof explain>[1] = { preset: 'gmial', locale: 'en' };
    assert.ok(misspelled && options);
  });

  test('a preset without a variant, or none, gets the general text', () => {
    const failure = reply('auth', '535 5.7.8 Error: authentication failed');
    for (const preset of ['custom', 'ovh', undefined] as const) {
      const explained = explain(failure, { ...(preset === undefined ? {} : { preset }), locale: 'fr' });
      assert.equal(explained.cause, EXPLANATIONS['auth-failed'].cause.fr);
      assert.deepEqual(explained.fix, EXPLANATIONS['auth-failed'].fix.fr);
    }
  });

  test('Microsoft: SMTP AUTH disabled, basic auth retired, send-as denied', () => {
    const disabled = explain(reply('auth', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.'), {
      preset: 'microsoft-365',
      locale: 'en',
    });
    assert.equal(disabled.id, 'microsoft-smtp-auth-disabled');
    assert.match(disabled.fix.join(' '), /Authenticated SMTP/);
    const retired = explain(reply('auth', '550 5.7.30 Basic authentication is not supported for Client Submission.'), { locale: 'fr' });
    assert.equal(retired.id, 'microsoft-basic-auth-retired');
    assert.match(retired.fix[0] ?? '', /Se connecter avec Microsoft/);
    const sendAs = explain(reply('mail', '550 5.7.60 SMTP; Client does not have permissions to send as this sender'), {
      preset: 'microsoft-365',
      locale: 'en',
    });
    assert.equal(sendAs.id, 'send-as-denied');
    assert.match(sendAs.cause, /Send as/);
  });

  test('the server’s reply comes apart from the catalog text, sanitized', () => {
    const explained = explain(reply('rcpt', '554 5.7.1 <a@b.c>: Relay access denied'), { locale: 'en' });
    assert.equal(explained.reply, '554 5.7.1 <a@b.c>: Relay access denied');
    assert.doesNotMatch(`${explained.title} ${explained.cause} ${explained.fix.join(' ')}`, /a@b\.c/);
  });

  test('a network failure quotes nothing: its text is the client’s, not the server’s', () => {
    const explained = explain({ stage: 'connect', network: 'ECONNREFUSED', text: 'connect ECONNREFUSED 10.1.2.3:587' }, { locale: 'en' });
    assert.equal(explained.id, 'connection-refused');
    assert.equal(explained.reply, undefined);
  });

  test('the fallback explains an unknown reply without echoing it in its own words', () => {
    const explained = explain({ stage: 'ehlo', code: 250, text: '<script>alert(1)</script>' }, { locale: 'fr' });
    assert.equal(explained.id, 'unexpected-reply');
    assert.equal(explained.cause, EXPLANATIONS['unexpected-reply'].cause.fr);
    assert.equal(explained.reply, '250 <script>alert(1)</script>');
  });

  test('explainById renders a stored explanation', () => {
    const explained = explainById('mailbox-full', { locale: 'en' }, { code: 552, enhanced: '5.2.2', text: 'Mailbox full' });
    assert.deepEqual(explained, {
      id: 'mailbox-full',
      title: EXPLANATIONS['mailbox-full'].title.en,
      cause: EXPLANATIONS['mailbox-full'].cause.en,
      fix: [...EXPLANATIONS['mailbox-full'].fix.en],
      reply: '552 5.2.2 Mailbox full',
    });
  });

  test('never echoes more than 200 sanitized characters of server text', () => {
    const stages: SmtpStage[] = ['dns', 'connect', 'greeting', 'tls', 'ehlo', 'auth', 'mail', 'rcpt', 'data', 'message'];
    fc.assert(
      fc.property(
        fc.constantFrom(...stages),
        fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
        fc.string({ unit: 'binary', maxLength: 1000 }),
        fc.constantFrom(...LOCALES),
        fc.option(fc.constantFrom(...PRESET_IDS), { nil: undefined }),
        (stage, code, text, locale, preset) => {
          const failure: SmtpFailure = { stage, text, ...(code === undefined ? {} : { code }) };
          const explained = explain(failure, { locale, ...(preset === undefined ? {} : { preset }) });
          // The catalog's words only: the title, cause and steps are those of the entry.
          const entry = EXPLANATIONS[explained.id];
          const variant = preset === undefined ? undefined : entry.byPreset?.[preset];
          assert.equal(explained.title, entry.title[locale]);
          assert.equal(explained.cause, (variant?.cause ?? entry.cause)[locale]);
          assert.deepEqual(explained.fix, (variant?.fix ?? entry.fix)[locale]);
          if (explained.reply !== undefined) {
            assert.ok(code !== undefined && code >= 200 && code <= 599, 'only SMTP replies are quoted');
            assert.ok(Array.from(explained.reply).length <= REPLY_MAX_LENGTH);
            assert.doesNotMatch(explained.reply, /[\p{Cc}\p{Cf}]/u);
            assert.equal(explained.reply, explained.reply.trim());
          }
        },
      ),
    );
  });
});
