import { ConfigurationError } from '@sitemsg/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore, sitemsgDriver } from '../src/index.js';

const url = 'postgres://nobody@127.0.0.1:1/none';

describe('PostgresStore options', () => {
  it.each([
    ['schema', { schema: 'Public' }],
    ['schema', { schema: 'a;drop table x' }],
    ['schema', { schema: '1abc' }],
    ['schema', { schema: 'x'.repeat(64) }],
    ['schema', { schema: 'sch"ema' }],
    ['tablePrefix', { tablePrefix: 'sm-' }],
    ['tablePrefix', { tablePrefix: 'a b' }],
    ['tablePrefix', { tablePrefix: 'x'.repeat(33) }],
  ])('refuses a %s that is not a plain SQL identifier: %j', (field, options) => {
    const make = (): PostgresStore => new PostgresStore({ connectionString: url }, options);
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(
      new RegExp(`^\\[sitemsg\\] \\[postgres\\] ${field} .* is not a plain SQL identifier`),
    );
  });

  it('accepts plain identifiers and an empty prefix', () => {
    expect(
      () => new PostgresStore({ connectionString: url }, { schema: 'app_1', tablePrefix: '' }),
    ).not.toThrow();
    expect(
      () => new PostgresStore({ connectionString: url }, { schema: '_x', tablePrefix: 'msg_' }),
    ).not.toThrow();
  });

  it('refuses unknown options and a wrong connection argument', () => {
    expect(() => new PostgresStore({ connectionString: url }, { tablePrefx: 'x' } as never)).toThrow(
      /Unknown option "tablePrefx"/,
    );
    expect(() => new PostgresStore({} as never)).toThrow(
      /exactly one of \{ pool \} or \{ connectionString \}/,
    );
    expect(() => new PostgresStore({ connectionString: '' })).toThrow(ConfigurationError);
    expect(() => new PostgresStore({ pool: {} } as never)).toThrow(/pool must be a pg.Pool/);
    expect(() => new PostgresStore({ pool: new pg.Pool(), connectionString: url } as never)).toThrow(
      ConfigurationError,
    );
    expect(() => new PostgresStore({ connectionString: url }, { listen: 'yes' } as never)).toThrow(
      /listen must be true or false/,
    );
  });

  it('opens no connection before init(), so constructing against a dead server is fine', async () => {
    const store = new PostgresStore({ connectionString: url });
    expect(store.pool.totalCount).toBe(0);
    await store.close();
  });

  it('is created by the configuration driver, which refuses unknown and missing options', () => {
    expect(sitemsgDriver).toMatchObject({ kind: 'store', name: 'postgres' });
    const store = sitemsgDriver.create(
      { connectionString: url, schema: 'app' },
      { name: 'postgres', primary: true },
    );
    expect(store).toBeInstanceOf(PostgresStore);
    expect(() => sitemsgDriver.create({ schema: 'app' }, { name: 'postgres', primary: true })).toThrow(
      /connectionString is required/,
    );
    expect(() =>
      sitemsgDriver.create({ connectionString: url, schemaa: 'x' }, { name: 'postgres', primary: true }),
    ).toThrow(/Unknown store option "schemaa"/);
    const flagged = sitemsgDriver.create(
      { connectionString: url, listen: false, preparedStatements: false, synchronousClaims: true },
      { name: 'postgres', primary: true },
    );
    expect(flagged).toBeInstanceOf(PostgresStore);
    expect(() =>
      sitemsgDriver.create(
        { connectionString: url, synchronousClaims: 'yes' },
        { name: 'postgres', primary: true },
      ),
    ).toThrow(/synchronousClaims must be true or false/);
  });
});
