import { describe, expect, it } from 'vitest';
import { BatonError } from '../../src/core/errors.js';
import { redactText, redactUrl } from '../../src/core/redact.js';

describe('redaction of secrets in what Baton prints', () => {
  it('hides the password of a store URL, in its user part and in its query', () => {
    expect(redactUrl('postgres://baton:hunter22@db.example:5432/work?schema=b')).toBe(
      'postgres://baton:***@db.example:5432/work?schema=b',
    );
    expect(redactUrl('postgresql://db.example/work?password=hunter22&sslpassword=x&schema=b')).toBe(
      'postgresql://db.example/work?password=***&sslpassword=***&schema=b',
    );
    // Nothing secret: the URL is left exactly as written.
    expect(redactUrl('postgres://db.example/work?schema=b')).toBe('postgres://db.example/work?schema=b');
  });

  it('hides passwords and API key secrets anywhere in a message, even in a URL that does not parse', () => {
    const key = `baton_0123abcd_${'s'.repeat(43)}`;
    const text = `cannot reach postgres://me:hunter22@[bad/db; key ${key} refused`;
    const out = redactText(text);
    expect(out).not.toContain('hunter22');
    expect(out).not.toContain('s'.repeat(43));
    // What names the key and the host stays, so the message still says what went wrong.
    expect(out).toContain('baton_0123abcd_***');
    expect(out).toContain('[bad/db');
  });

  it('leaves no password in a coded error, its message or its details', () => {
    const err = new BatonError('store_unavailable', 'cannot reach PostgreSQL at postgres://u:hunter22@h/db', {
      location: 'postgres://h/db?password=hunter22',
      attempts: 3,
    });
    expect(JSON.stringify(err.toJSON())).not.toContain('hunter22');
    expect(err.details?.attempts).toBe(3);
  });
});
