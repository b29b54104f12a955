import { ConfigurationError } from '@sitemsg/core/plugin';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PostgresStore, sitemsgDriver } from '../src/index.js';
import { dropSchema, pgUrl, uniqueSchema } from './support/schema.js';

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

  it.each(['schema', 'tablePrefix', 'listen', 'preparedStatements', 'synchronousClaims', 'logger'])(
    'refuses the store option %s in the connection, saying it belongs in the second argument',
    (key) => {
      // Before, { connectionString, schema } created the tables in public, silently.
      const make = (): PostgresStore => new PostgresStore({ connectionString: url, [key]: 'x' } as never);
      expect(make).toThrow(ConfigurationError);
      expect(make).toThrow(
        `[sitemsg] [postgres] "${key}" belongs in the second argument (store options), not the connection`,
      );
      expect(() => new PostgresStore({ pool: new pg.Pool(), [key]: 'x' } as never)).toThrow(
        `"${key}" belongs in the second argument`,
      );
    },
  );

  it('points pg settings in the connection to poolConfig, and refuses keys it does not know', () => {
    expect(() => new PostgresStore({ connectionString: url, ssl: true } as never)).toThrow(
      /"ssl" is a pg.Pool setting: put it in the connection's poolConfig/,
    );
    expect(() => new PostgresStore({ connectionString: url, max: 5 } as never)).toThrow(/poolConfig/);
    expect(() => new PostgresStore({ connectionString: url, shema: 'x' } as never)).toThrow(
      /Unknown key "shema" in the connection \(first argument\): pass \{ pool \} or \{ connectionString, poolConfig\? \}/,
    );
    expect(() => new PostgresStore({ connectionString: url, dataDir: '/tmp/x' } as never)).toThrow(
      /"dataDir" is an option of PgliteStore/,
    );
    expect(() => new PostgresStore({ pool: new pg.Pool(), poolConfig: { max: 2 } } as never)).toThrow(
      /poolConfig configures the pool the store creates from connectionString/,
    );
    expect(
      () => new PostgresStore({ connectionString: url, poolConfig: { connectionString: url } } as never),
    ).toThrow(/"connectionString" belongs in the connection itself, not in poolConfig/);
    expect(() => new PostgresStore({ connectionString: url, poolConfig: { max: 2 } })).not.toThrow();
  });

  it('refuses connection keys and unknown keys in the store options, saying where they belong', () => {
    for (const key of ['pool', 'connectionString', 'poolConfig']) {
      const make = (): PostgresStore => new PostgresStore({ connectionString: url }, { [key]: 'x' } as never);
      expect(make).toThrow(ConfigurationError);
      expect(make).toThrow(`"${key}" belongs in the first argument (the connection), not the store options`);
    }
    expect(() => new PostgresStore({ connectionString: url }, { dataDir: 'x' } as never)).toThrow(
      /"dataDir" is an option of PgliteStore/,
    );
    expect(() => new PostgresStore({ connectionString: url }, { schemas: 'x' } as never)).toThrow(
      /Unknown option "schemas": the store options are schema, tablePrefix, listen/,
    );
    expect(() => new PostgresStore({ connectionString: url }, null as never)).toThrow(ConfigurationError);
  });

  it('the configuration driver puts schema and tablePrefix where the store reads them', async () => {
    const schema = uniqueSchema('driver');
    const store = sitemsgDriver.create(
      { connectionString: pgUrl(), schema, tablePrefix: 'cfg_', listen: false },
      { name: 'postgres', primary: true },
    ) as PostgresStore;
    onTestFinished(async () => {
      await store.close();
      await dropSchema(pgUrl(), schema);
    });
    await store.init();
    const { rows } = await store.pool.query<{ table_schema: string }>(
      `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'cfg_messages'`,
    );
    expect(rows.map((r) => r.table_schema)).toEqual([schema]);
  });
});
