import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, test } from 'node:test';
import type { Endpoint, Localized, Preset } from './presets.ts';
import { PRESET_IDS, PRESETS, findPreset, isPresetId } from './presets.ts';

// The ports Relais connects to unless an operator widens RELAIS_SMTP_ALLOWED_PORTS.
const ALLOWED_PORTS = new Set([25, 465, 587, 2525]);

function isHostname(host: string): boolean {
  if (isIP(host) !== 0 || host.length > 253) return false;
  const labels = host.split('.');
  return (
    labels.length >= 2 &&
    labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) &&
    /^[a-z]{2,}$/.test(labels.at(-1) ?? '')
  );
}

function localizedFields(preset: Preset): [string, Localized][] {
  return [
    ['usernameHint', preset.usernameHint],
    ['passwordLabel', preset.passwordLabel],
    ['limits.basis', preset.limits.basis],
    ...(preset.hostChoices ?? []).map((choice): [string, Localized] => [`hostChoices ${choice.host}`, choice.label]),
    ...(preset.notices ?? []).map((notice, i): [string, Localized] => [`notices[${i}]`, notice.text]),
  ];
}

function endpoints(preset: Preset): Endpoint[] {
  return [
    { port: preset.port, security: preset.security },
    ...(preset.alternatives ?? []),
    ...(preset.hostChoices ?? []).flatMap((choice) => (choice.endpoint ? [choice.endpoint] : [])),
  ];
}

function frenchTexts(preset: Preset): string[] {
  return [...localizedFields(preset).map(([, text]) => text.fr), ...preset.guide.fr];
}

describe('SMTP provider presets', () => {
  test('list every provider of the issue once, in display order, ending with custom', () => {
    assert.deepEqual(
      PRESETS.map((preset) => preset.id),
      [...PRESET_IDS],
    );
    assert.equal(new Set(PRESET_IDS).size, PRESET_IDS.length);
    assert.equal(PRESETS.length, 16);
    assert.equal(PRESETS.at(-1)?.id, 'custom');
  });

  test('findPreset returns the preset by id and nothing for unknown or prototype names', () => {
    for (const id of PRESET_IDS) {
      assert.equal(findPreset(id)?.id, id);
      assert.equal(isPresetId(id), true);
    }
    for (const id of ['nope', '', 'GMAIL', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.equal(findPreset(id), undefined, id);
      assert.equal(isPresetId(id), false, id);
    }
  });

  test('are frozen, so no request can change what the next one sees', () => {
    const gmail = findPreset('gmail');
    assert.ok(gmail);
    assert.ok(Object.isFrozen(PRESETS));
    assert.throws(() => {
      (gmail as { host: string | null }).host = 'evil.example';
    }, TypeError);
    assert.throws(() => {
      (gmail.guide.en as string[]).push('extra');
    }, TypeError);
    assert.throws(() => {
      (gmail.limits as { maxConnections: number }).maxConnections = 99;
    }, TypeError);
    assert.equal(findPreset('gmail')?.host, 'smtp.gmail.com');
  });

  test('serialize to JSON unchanged, as the API sends them', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(PRESETS)), PRESETS);
  });

  for (const preset of PRESETS) {
    describe(preset.id, () => {
      test('has a name and a one- or two-letter badge on a hex colour', () => {
        assert.ok(preset.name.trim().length > 0);
        assert.match(preset.mark.initials, /^[A-Z]{1,2}$/);
        assert.match(preset.mark.color, /^#[0-9A-F]{6}$/);
      });

      test('says everything in French and in English', () => {
        for (const [field, text] of localizedFields(preset)) {
          assert.ok(text.fr.trim().length > 0, `${field}.fr is empty`);
          assert.ok(text.en.trim().length > 0, `${field}.en is empty`);
          // Place names such as “Europe (Paris)” read the same in both; sentences do not.
          if (!field.startsWith('hostChoices')) assert.notEqual(text.fr, text.en, `${field} is not translated`);
        }
      });

      test('has a guide of 3 to 7 concrete steps, the same number in both languages', () => {
        const { fr, en } = preset.guide;
        assert.equal(fr.length, en.length, 'French and English guides differ in length');
        assert.ok(fr.length >= 3 && fr.length <= 7, `${fr.length} steps`);
        fr.forEach((step, i) => assert.notEqual(step, en[i], `step ${i + 1} is not translated`));
        for (const step of [...fr, ...en]) {
          assert.ok(step.trim().length >= 10, `step too short: ${step}`);
          // The array order numbers the steps; a written number would be shown twice.
          assert.doesNotMatch(step, /^\s*\d+[.)-]/, `step carries its own number: ${step}`);
        }
        assert.match(en.at(-1) ?? '', /check/i);
        assert.match(fr.at(-1) ?? '', /vérification/i);
      });

      test('writes French with typographic apostrophes and non-breaking spaces', () => {
        for (const text of frenchTexts(preset)) {
          assert.doesNotMatch(text, /'/, `straight apostrophe in: ${text}`);
          assert.doesNotMatch(text, / [:;?!»]|« /, `breakable space before punctuation in: ${text}`);
        }
      });

      test('uses only ports Relais allows, with TLS exactly on 465', () => {
        for (const { port, security } of endpoints(preset)) {
          assert.ok(ALLOWED_PORTS.has(port), `port ${port} is not allowed`);
          assert.equal(security === 'tls', port === 465, `port ${port} with ${security}`);
          assert.notEqual(security, 'none');
        }
        const alternatives = (preset.alternatives ?? []).map((e) => `${e.port}/${e.security}`);
        assert.equal(new Set(alternatives).size, alternatives.length, 'duplicate alternative');
        assert.ok(!alternatives.includes(`${preset.port}/${preset.security}`), 'default repeated as alternative');
      });

      test('has a valid host, or none only when the owner must choose or type one', () => {
        const choices = preset.hostChoices ?? [];
        for (const choice of choices) assert.ok(isHostname(choice.host), choice.host);
        assert.equal(new Set(choices.map((c) => c.host)).size, choices.length, 'duplicate host choice');
        if (preset.host === null) {
          assert.ok(choices.length >= 2 || preset.id === 'custom', 'host is null without a choice to make');
        } else {
          assert.ok(isHostname(preset.host), preset.host);
          if (choices.length > 0) assert.ok(choices.some((c) => c.host === preset.host), 'default host not among choices');
        }
        if (preset.id === 'custom') assert.equal(choices.length, 0);
      });

      test('has limits a pacer can use: positive whole numbers, at least one connection', () => {
        const { basis: _basis, ...figures } = preset.limits;
        assert.ok(preset.limits.maxConnections >= 1);
        for (const [name, value] of Object.entries(figures)) {
          assert.ok(Number.isInteger(value) && value > 0, `${name} = ${value}`);
        }
      });

      test('links to https documentation when it links at all', () => {
        if (preset.docsUrl === undefined) return;
        assert.equal(new URL(preset.docsUrl).protocol, 'https:');
      });
    });
  }

  test('Microsoft 365 warns, in both languages, that basic authentication goes at the end of December 2026', () => {
    const m365 = findPreset('microsoft-365');
    assert.ok(m365);
    const warning = m365.notices?.find((notice) => notice.level === 'warning');
    assert.ok(warning, 'no warning notice');
    assert.match(warning.text.en, /end of December 2026/);
    assert.match(warning.text.en, /basic authentication/);
    assert.match(warning.text.en, /OAuth/);
    assert.match(warning.text.en, /SMTP AUTH must stay enabled/);
    assert.match(warning.text.fr, /[Ff]in décembre 2026/);
    assert.match(warning.text.fr, /authentification de base/);
    assert.match(warning.text.fr, /OAuth/);
    assert.match(warning.text.fr, /SMTP AUTH doit rester activé/);
  });

  test('Microsoft 365 follows Exchange Online limits: 30 messages a minute, 10,000 recipients a day', () => {
    const m365 = findPreset('microsoft-365');
    assert.equal(m365?.host, 'smtp.office365.com');
    assert.equal(m365?.limits.messagesPerMinute, 30);
    assert.equal(m365?.limits.recipientsPerDay, 10_000);
    assert.equal(m365?.limits.maxConnections, 3);
  });

  test('SendGrid fixes the username to the literal apikey; no other preset fixes one', () => {
    assert.equal(findPreset('sendgrid')?.fixedUsername, 'apikey');
    for (const preset of PRESETS) {
      if (preset.id !== 'sendgrid') assert.equal(preset.fixedUsername, undefined, preset.id);
    }
  });

  test('Gmail and Google Workspace ask for an app password', () => {
    for (const id of ['gmail', 'google-workspace']) {
      const preset = findPreset(id);
      assert.equal(preset?.passwordLabel.en, 'App password');
      assert.ok(preset?.guide.en.some((step) => step.includes('myaccount.google.com/apppasswords')));
    }
  });

  test('Amazon SES offers regional endpoints and says SMTP credentials are not IAM keys', () => {
    const ses = findPreset('amazon-ses');
    assert.equal(ses?.host, null);
    assert.ok(ses?.hostChoices?.some((c) => c.host === 'email-smtp.eu-west-3.amazonaws.com'));
    assert.ok(ses?.hostChoices?.every((c) => /^email-smtp\.[a-z]+-[a-z]+-\d\.amazonaws\.com$/.test(c.host)));
    assert.match(ses?.usernameHint.en ?? '', /IAM access keys do not work/);
  });

  test('a host choice with its own endpoint carries an allowed one (OVHcloud Email Pro on 587)', () => {
    const emailPro = findPreset('ovh')?.hostChoices?.find((c) => c.host === 'pro1.mail.ovh.net');
    assert.deepEqual(emailPro?.endpoint, { port: 587, security: 'starttls' });
  });
});
