import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findPreset } from '../presets.ts';

describe('app sign-in in the presets', () => {
  for (const [id, type] of [
    ['microsoft-365', 'oauth2-microsoft'],
    ['google-workspace', 'oauth2-google'],
  ] as const) {
    test(`${id}: app sign-in listed first and recommended, then the password`, () => {
      const methods = findPreset(id)?.authMethods ?? [];
      assert.deepEqual(
        methods.map((m) => [m.type, m.recommended]),
        [
          [type, true],
          ['password', false],
        ],
      );
      const guide = methods[0]?.guide;
      assert.ok(guide && guide.fr.length === guide.en.length && guide.fr.length >= 5);
    });
  }

  test('the Microsoft guide names every step an administrator needs, in both languages', () => {
    const guide = findPreset('microsoft-365')?.authMethods?.[0]?.guide;
    assert.ok(guide);
    const en = guide.en.join('\n');
    const fr = guide.fr.join('\n');
    for (const needle of ['SMTP.SendAsApp', 'New-ServicePrincipal -AppId', '-ObjectId', 'Add-MailboxPermission', '-AccessRights FullAccess', 'Set-CASMailbox', '-SmtpClientAuthenticationDisabled $false', '30 minutes']) {
      assert.ok(en.includes(needle), `en: ${needle}`);
      assert.ok(fr.includes(needle), `fr: ${needle}`);
    }
    assert.match(en, /“Value” column/);
    assert.match(fr, /colonne «\u00a0Valeur\u00a0»/);
    assert.match(en, /enterprise application/);
  });

  test('the Google guide: service account, JSON key, domain-wide delegation with the client ID and the Gmail scope', () => {
    const guide = findPreset('google-workspace')?.authMethods?.[0]?.guide;
    assert.ok(guide);
    assert.match(guide.en.join('\n'), /Security › Access and data control › API controls › Manage Domain Wide Delegation/);
    for (const text of [guide.en.join('\n'), guide.fr.join('\n')]) {
      assert.ok(text.includes('https://mail.google.com/'));
      assert.ok(text.includes('JSON'));
      assert.ok(text.includes('client_id'));
    }
  });
});
