import { describe, expect, it } from 'vitest';
import { applyEnvOverrides } from '../src/config/env.js';
import { CONFIG_KEYS } from '../src/config/schema.js';

const base = {
  store: { driver: 'postgres', connectionString: 'postgres://file' },
  messengers: { smtp: { driver: 'smtp', host: 'file-host' }, smtp_backup: { driver: 'smtp' } },
};

describe('SITEMSG__ overrides', () => {
  it('match existing keys case-insensitively, ignoring underscores, and leave the input untouched', () => {
    const { config, applied } = applyEnvOverrides(
      base,
      {
        SITEMSG__STORE__CONNECTION_STRING: 'postgres://env',
        SITEMSG__MESSENGERS__SMTP__HOST: 'env-host',
        SITEMSG__SMTP_BACKUP__PORT: '2525',
        OTHER: 'x',
      },
      CONFIG_KEYS,
    );
    expect(config).toEqual({
      store: { driver: 'postgres', connectionString: 'postgres://env' },
      messengers: { smtp: { driver: 'smtp', host: 'env-host' }, smtp_backup: { driver: 'smtp', port: 2525 } },
    });
    expect(applied).toEqual([
      'SITEMSG__SMTP_BACKUP__PORT',
      'SITEMSG__STORE__CONNECTION_STRING',
      'SITEMSG__MESSENGERS__SMTP__HOST',
    ]);
    expect(base.messengers.smtp.host).toBe('file-host');
  });

  it('parse JSON values when they parse and keep strings otherwise', () => {
    const env = {
      SITEMSG__SMTP__SECURE: 'true',
      SITEMSG__SMTP__AUTH: '{"user":"u"}',
      SITEMSG__SMTP__FROM: '+4412345',
      SITEMSG__SMTP__NAME: 'null-ish',
    };
    const { config } = applyEnvOverrides(base, env, CONFIG_KEYS);
    expect((config.messengers as Record<string, unknown>).smtp).toEqual({
      driver: 'smtp',
      host: 'file-host',
      secure: true,
      auth: { user: 'u' },
      from: '+4412345',
      name: 'null-ish',
    });
  });

  it('find known top-level options missing from the file, and camelCase unknown keys', () => {
    const { config, origins } = applyEnvOverrides(
      {},
      { SITEMSG__LEASE_MS: '5000', SITEMSG__STORE__DRIVER: 'memory', SITEMSG__SMTP__API_KEY: 'k' },
      CONFIG_KEYS,
    );
    expect(config).toEqual({ leaseMs: 5000, store: { driver: 'memory' }, smtp: { apiKey: 'k' } });
    expect(origins.get('smtp.apiKey')).toBe('SITEMSG__SMTP__API_KEY');
  });

  it('refuse a path through a value that is not an object, and empty segments', () => {
    expect(() => applyEnvOverrides(base, { SITEMSG__SMTP__HOST__NAME: 'x' })).toThrow(
      '[sitemsg] config: SITEMSG__SMTP__HOST__NAME: messengers.smtp.host is not an object in the config',
    );
    expect(() => applyEnvOverrides(base, { SITEMSG__SMTP____HOST: 'x' })).toThrow('empty key');
  });
});
