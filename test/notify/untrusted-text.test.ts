/**
 * lib/notify/untrusted-text.ts on its own: what is defanged and what is left readable, how values are made visible,
 * capped and encoded for each channel. The alert-level checks (golden files, every field of every rule) are in
 * render.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  awsShaped, capText, defang, isMarked, MAX_VALUE_CHARS, renderChat, renderPlain, renderSubject, untrusted, untrustedDocument, visibleText,
} from '../../lib/notify/untrusted-text';

describe('defang', () => {
  it('URLs: scheme and every dot of the host', () => {
    assert.equal(defang('https://evil.example/login'), 'hxxps://evil[.]example/login');
    assert.equal(defang('HTTP://Evil.Example'), 'HXXP://Evil[.]Example');
    assert.equal(defang('ftp://files.evil.example/x'), 'fxp://files[.]evil[.]example/x');
    assert.equal(defang('http://192.0.2.1:8080/a'), 'hxxp://192[.]0[.]2[.]1:8080/a');
    assert.equal(defang('javascript://x.example%0aalert(1)'), 'javascript[:]//x[.]example%0aalert(1)');
    assert.equal(defang('see https://user@evil.example'), 'see hxxps://user[@]evil[.]example');
  });

  it('bare host names, e-mail addresses and mentions', () => {
    assert.equal(defang('evil.example/login'), 'evil[.]example/login');
    assert.equal(defang('go to www.evil.example now'), 'go to www[.]evil[.]example now');
    assert.equal(defang('invoice.zip'), 'invoice[.]zip');
    assert.equal(defang('alice@example.com'), 'alice[@]example[.]com');
    assert.equal(defang('@channel @here'), '[@]channel [@]here');
    assert.equal(defang('\uFF20channel'), '[\uFF20]channel');
    // Dots that IDNA maps to "." and internationalised / punycode names.
    assert.equal(defang('evil\u3002example'), 'evil[.]example');
    assert.equal(defang('\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444'), '\u043f\u0440\u0438\u043c\u0435\u0440[.]\u0440\u0444');
    assert.equal(defang('xn--e1afmkfd.xn--p1ai'), 'xn--e1afmkfd[.]xn--p1ai');
  });

  it('leaves what is not a link alone: user agents, versions, IP addresses, ARNs', () => {
    for (const s of [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36',
      'aws-cli/2.15.0 Python/3.11.6 Linux/6.1.61 exe/x86_64.amzn.2023 prompt/off command/sts.assume-role',
      'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.6',
      '198.51.100.7', '2001:db8::1', 'AWS Internal',
      'arn:aws:iam::222222222222:user/BreakGlassUser1', 'arn:aws:sts::333333333333:assumed-role/BreakGlassRole/BreakGlassUser1',
    ]) assert.equal(defang(s), s);
  });

  it('an AWS service host is left as it is only when it is the whole value', () => {
    assert.equal(defang('signin.amazonaws.com'), 'signin.amazonaws.com');
    assert.equal(defang('cloudformation.amazonaws.com'), 'cloudformation.amazonaws.com');
    assert.equal(defang('evil-bucket.s3.amazonaws.com'), 'evil-bucket[.]s3[.]amazonaws[.]com');
    assert.equal(defang('s3.amazonaws.com/evil-bucket/login.html'), 's3[.]amazonaws[.]com/evil-bucket/login[.]html');
    assert.equal(defang('https://signin.amazonaws.com'), 'hxxps://signin[.]amazonaws[.]com');
  });
});

describe('visible, single-line, capped values', () => {
  it('control, line-breaking, bidi, zero-width and private-use characters become escapes', () => {
    assert.equal(visibleText('a\nb\r\nc\td'), 'a\\nb\\r\\nc\\td');
    assert.equal(visibleText('user\u202Egnp.exe\u202C'), 'user\\u202Egnp.exe\\u202C');
    assert.equal(visibleText('a\u2066b\u2069c\u200Bd\u200De\uFEFFf\u00ADg'), 'a\\u2066b\\u2069c\\u200Bd\\u200De\\uFEFFf\\u00ADg');
    assert.equal(visibleText('x\u2028y\u2029z\u0085\u001b[31m\u0000'), 'x\\u2028y\\u2029z\\u0085\\u001B[31m\\u0000');
    assert.equal(visibleText('tag\u{E0041}'), 'tag\\u{E0041}');
    assert.equal(visibleText('mark\uE000\uE002'), 'mark\\uE000\\uE002');
    assert.equal(visibleText('  a \u00A0\u2003 b  '), 'a b');
    assert.equal(visibleText(visibleText('a\nb\u202E')), visibleText('a\nb\u202E'), 'idempotent');
  });

  it('capped by code points, never inside a surrogate pair', () => {
    assert.deepEqual(capText('abcdef', 4), { text: 'abcd', more: 2 });
    assert.deepEqual(capText('\u{1F600}\u{1F600}\u{1F600}', 2), { text: '\u{1F600}\u{1F600}', more: 1 });
    assert.deepEqual(capText('abc', 3), { text: 'abc', more: 0 });
  });
});

describe('marks', () => {
  it('untrusted values carry marks that renderers consume; marks inside values are dropped', () => {
    const v = untrusted('a\uE002b\uE000c');
    assert.ok(isMarked(v));
    assert.equal(renderPlain(`x ${v} y`), 'x abc y');
    assert.equal(renderPlain(untrusted(`outer ${untrusted('inner')}`)), 'outer inner');
    // A stray mark (never produced by `untrusted`) is dropped, not printed.
    assert.equal(renderPlain('a\uE000b'), 'ab');
  });

  it('awsShaped: the value as it is in its shape, otherwise marked', () => {
    assert.equal(awsShaped('222222222222', /^\d{12}$/), '222222222222');
    assert.ok(isMarked(awsShaped('2222', /^\d{12}$/)!));
    assert.ok(isMarked(awsShaped(untrusted('222222222222'), /^\d{12}$/)!));
    assert.equal(awsShaped(undefined, /x/), undefined);
  });
});

describe('channels', () => {
  const hostile = untrusted('[Security team: click here](https://evil.example/login) <!here> @channel `x`');

  it('plain: defanged, Markdown links and Slack sequences broken, trusted text untouched', () => {
    assert.equal(renderPlain(`User agent: ${hostile} -> ok`),
      'User agent: [Security team: click here] (hxxps://evil[.]example/login) <[!]here> [@]channel `x` -> ok');
  });

  it('chat: one code span, live characters replaced by look-alikes, "_" kept inside words', () => {
    assert.equal(renderChat(`User agent: ${hostile}`),
      'User agent: `\uFF3BSecurity team: click here\uFF3D(hxxps://evil\uFF3B.\uFF3Dexample/login) \u2039!here\u203A \uFF3B@\uFF3Dchannel \u02CBx\u02CB`');
    assert.equal(renderChat(untrusted('AWSReservedSSO_Admin_1 _x_ *y* ~z~ a|b & c')), '`AWSReservedSSO_Admin_1 \uFF3Fx\uFF3F \u2217y\u2217 \u223Cz\u223C a\u00A6b \uFF06 c`');
    assert.equal(renderChat(untrusted('ends with \\')), '`ends with \u2216`');
    // Trusted text: only "<", ">" and the subject arrow.
    assert.equal(renderChat('CloudTrail > Event history, a -> b'), 'CloudTrail \u203A Event history, a \u2192 b');
  });

  it('chat and plain: a cut value ends with "… (N more characters)", outside the code span in chat', () => {
    const long = untrusted('x'.repeat(MAX_VALUE_CHARS + 1234));
    assert.equal(renderPlain(long), `${'x'.repeat(MAX_VALUE_CHARS)}\u2026 (1,234 more characters)`);
    assert.equal(renderChat(long), `\`${'x'.repeat(MAX_VALUE_CHARS)}\u2026\` (1,234 more characters)`);
    assert.equal(renderPlain(untrusted('x'.repeat(MAX_VALUE_CHARS + 1))), `${'x'.repeat(MAX_VALUE_CHARS)}\u2026 (1 more character)`);
    const doc = untrustedDocument('d'.repeat(2500));
    assert.equal(renderPlain(doc), `${'d'.repeat(2000)}\u2026 (500 more characters)`);
  });

  it('subject: bare identifiers as they are, anything else quoted, defanged and escaped', () => {
    assert.equal(renderSubject(`on ${untrusted('BreakGlassUser1')}`), 'on BreakGlassUser1');
    assert.equal(renderSubject(`on ${untrusted('alice@example.com')}`), 'on alice[@]example[.]com');
    assert.equal(renderSubject(`on ${untrusted('Bob "the admin"\nSeverity: info')}`), 'on "Bob \'the admin\'\\nSeverity: info"');
    assert.equal(renderSubject(`on ${untrusted('y'.repeat(300))}`), `on "${'y'.repeat(MAX_VALUE_CHARS)}..."`);
  });
});
