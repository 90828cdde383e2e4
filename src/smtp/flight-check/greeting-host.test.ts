import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { greetingHostName, greetingHostRelated, greetingMasked, registrableDomain } from './greeting-host.ts';

describe('greeting host', () => {
  test('reads the host name a greeting starts with', () => {
    assert.equal(greetingHostName('220 smtp.gmail.com ESMTP a640c23a62f3a-abc.123 - gsmtp'), 'smtp.gmail.com');
    assert.equal(greetingHostName('220-mx.example.fr ESMTP\n220 ready'), 'mx.example.fr');
    assert.equal(greetingHostName('220 [mail.example.com] ready'), 'mail.example.com');
    assert.equal(greetingHostName('220 SG ESMTP service ready at geopod-ismtpd-1'), undefined);
    assert.equal(greetingHostName('220 10.0.0.1 ESMTP'), undefined);
  });

  test('registrable domains, with the common multi-label public suffixes', () => {
    assert.equal(registrableDomain('smtp.office365.com'), 'office365.com');
    assert.equal(registrableDomain('mail.example.co.uk'), 'example.co.uk');
    assert.equal(registrableDomain('example.com'), 'example.com');
  });

  test('providers greeting from another host of their domain or operator are related', () => {
    assert.equal(greetingHostRelated('smtp.office365.com', 'pa7p264ca0042.outlook.office365.com'), true);
    assert.equal(greetingHostRelated('smtp.office365.com', 'am0pr02mb1234.eurprd02.prod.outlook.com'), true);
    assert.equal(greetingHostRelated('mail.infomaniak.com', 'smtp.infomaniak.ch'), true);
    assert.equal(greetingHostRelated('smtp.ionos.fr', 'mrelayeu.kundenserver.de'), true);
    assert.equal(greetingHostRelated('smtp.gmail.com', 'smtp.gmail.com'), true);
  });

  test('a greeting from an unrelated domain is flagged; nothing to compare is undefined', () => {
    assert.equal(greetingHostRelated('smtp.gmail.com', 'mailfilter.hosting-provider.net'), false);
    assert.equal(greetingHostRelated('203.0.113.5', 'mx.example.com'), undefined);
    assert.equal(greetingHostRelated('smtp.gmail.com', undefined), undefined);
  });

  test('a banner masked with asterisks (firewall SMTP fixup) is recognised', () => {
    assert.equal(greetingMasked('220 ****************************2*0*0*2****'), true);
    assert.equal(greetingMasked('220 smtp.example.com ESMTP ready'), false);
  });
});
