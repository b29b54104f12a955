import { writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigurationError } from '@sitemsg/core/plugin';
import { afterEach, describe, expect, it } from 'vitest';
import { FcmMessenger, type FcmMessengerOptions, sitemsgDriver } from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { PROJECT_ID, SERVICE_ACCOUNT, SERVICE_ACCOUNT_FILE } from './fixtures/setup.js';

const KEY_LINE = SERVICE_ACCOUNT.private_key!.split('\n')[1]!;
const made: FcmMessenger[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((m) => m.close()));
});
function create(options: FcmMessengerOptions): FcmMessenger {
  const messenger = new FcmMessenger(options);
  made.push(messenger);
  return messenger;
}

/** The ConfigurationError message a setup fails with (and a check that it never quotes the key). */
function refusal(options: unknown, env: Record<string, string> = {}): string {
  try {
    resolveOptions(options as FcmMessengerOptions, env);
  } catch (error) {
    expect(ConfigurationError.isInstance(error)).toBe(true);
    const { message } = error as Error;
    expect(message).not.toContain(KEY_LINE);
    return message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('FcmMessenger options', () => {
  it('reads the service account from a file, from JSON text or an object, or from GOOGLE_APPLICATION_CREDENTIALS', () => {
    const fromFile = resolveOptions({ serviceAccountFile: SERVICE_ACCOUNT_FILE }, {});
    expect(fromFile.projectId).toBe(PROJECT_ID);
    expect(fromFile.serviceAccount.clientEmail).toBe(SERVICE_ACCOUNT.client_email);
    expect(resolveOptions({ serviceAccountJson: JSON.stringify(SERVICE_ACCOUNT) }, {}).projectId).toBe(
      PROJECT_ID,
    );
    expect(resolveOptions({ serviceAccountJson: SERVICE_ACCOUNT }, {}).projectId).toBe(PROJECT_ID);
    expect(resolveOptions({}, { GOOGLE_APPLICATION_CREDENTIALS: SERVICE_ACCOUNT_FILE }).projectId).toBe(
      PROJECT_ID,
    );
    expect(
      resolveOptions({ serviceAccountFile: SERVICE_ACCOUNT_FILE, projectId: 'other-project-7' }, {})
        .projectId,
    ).toBe('other-project-7');
  });

  it('refuses a missing, unreadable or wrong service account at start-up, never quoting the key', () => {
    expect(refusal({})).toMatch(/no service account: set serviceAccountFile/);
    expect(refusal({ serviceAccountFile: '/nonexistent/key.json' })).toMatch(/cannot be read \(ENOENT\)/);
    expect(refusal({ serviceAccountFile: SERVICE_ACCOUNT_FILE, serviceAccountJson: '{}' })).toMatch(
      /not both/,
    );
    // Broken JSON: JSON.parse's own message would quote the content; ours does not.
    const broken = `${JSON.stringify(SERVICE_ACCOUNT).slice(0, -10)}`;
    expect(refusal({ serviceAccountJson: broken })).toMatch(/serviceAccountJson is not valid JSON/);
    const path = `${SERVICE_ACCOUNT_FILE}.broken`;
    writeFileSync(path, broken);
    expect(refusal({ serviceAccountFile: path })).toMatch(/is not valid JSON/);
    expect(refusal({ serviceAccountJson: { ...SERVICE_ACCOUNT, type: 'authorized_user' } })).toMatch(
      /"authorized_user" credential; FCM needs a service account key/,
    );
    const { client_email: _, ...noEmail } = SERVICE_ACCOUNT;
    expect(refusal({ serviceAccountJson: noEmail })).toMatch(/has no "client_email"/);
    expect(refusal({ serviceAccountJson: { ...SERVICE_ACCOUNT, private_key: 'not a key' } })).toMatch(
      /"private_key" that is not a PEM private key/,
    );
    expect(refusal({ serviceAccountJson: SERVICE_ACCOUNT, projectId: 'Bad Project' })).toMatch(
      /projectId must be/,
    );
  });

  it('refuses unknown and misplaced options with a hint, and bad values', () => {
    const base = { serviceAccountFile: SERVICE_ACCOUNT_FILE };
    expect(refusal({ ...base, serverKey: 'AAAA' })).toMatch(
      /unknown option "serverKey" \(the legacy FCM server key is gone/,
    );
    expect(refusal({ ...base, tokenField: 'x' })).toMatch(/did you mean tokensField/);
    expect(refusal({ ...base, concurrency: 0 })).toMatch(/concurrency must be an integer from 1 to 256/);
    expect(refusal({ ...base, timeoutMs: -1 })).toMatch(/timeoutMs must be a positive integer/);
    expect(refusal({ ...base, healthCacheMs: 1.5 })).toMatch(/healthCacheMs/);
    expect(refusal({ ...base, tokensField: '' })).toMatch(/tokensField/);
    expect(refusal({ ...base, httpAgent: {} })).toMatch(/httpAgent must be an https.Agent/);
  });

  it('never shows the private key: not when the messenger is inspected or serialised', () => {
    const messenger = create({ serviceAccountJson: SERVICE_ACCOUNT });
    expect(inspect(messenger, { depth: 20, showHidden: true })).not.toContain(KEY_LINE);
    expect(JSON.stringify(messenger)).not.toContain(KEY_LINE);
    expect(messenger.projectId).toBe(PROJECT_ID);
  });

  it("driver 'fcm' builds from configuration values (strings and parsed JSON from env overrides) under the configuration's name", () => {
    expect(sitemsgDriver.name).toBe('fcm');
    const messenger = sitemsgDriver.create(
      {
        serviceAccountJson: { ...SERVICE_ACCOUNT },
        concurrency: '4',
        healthCacheMs: '0',
        tokensField: 'devices',
      },
      { name: 'push', primary: true },
    ) as FcmMessenger;
    made.push(messenger);
    expect(messenger).toBeInstanceOf(FcmMessenger);
    expect(messenger.alias).toBe('push');
    expect(messenger.primary).toBe(true);
    expect(messenger.resolveAddresses({ id: 1, devices: ['a'.repeat(40)] })).toEqual({
      ok: true,
      value: ['a'.repeat(40)],
    });
    const withFile = sitemsgDriver.create(
      { serviceAccountFile: SERVICE_ACCOUNT_FILE },
      { name: 'fcm', primary: false },
    );
    made.push(withFile as FcmMessenger);
    expect(() =>
      sitemsgDriver.create(
        { serviceAccountFile: SERVICE_ACCOUNT_FILE, alias: 'x' },
        { name: 'push', primary: false },
      ),
    ).toThrow(/option "alias" cannot be set in a configuration file/);
    expect(() =>
      sitemsgDriver.create(
        { serviceAccountFile: SERVICE_ACCOUNT_FILE, sevice: 1 },
        { name: 'push', primary: false },
      ),
    ).toThrow(/unknown option "sevice"/);
  });
});
