import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import {
  ensurePostgres,
  findPostgresBinaries,
  pgAnswers,
  redactPgUrl,
  startThrowawayPostgres,
} from '../src/postgres.js';

/** A URL nothing answers at: a port that was free a moment ago. */
async function deadUrl(password = ''): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const auth = password ? `postgres:${password}` : 'postgres';
  return `postgres://${auth}@127.0.0.1:${port}/test`;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sitemsg-pg-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeBinaries(root: string, version: string, files: string[]): Promise<void> {
  const bin = join(root, version, 'bin');
  await mkdir(bin, { recursive: true });
  for (const file of files) {
    await writeFile(join(bin, file), '#!/bin/sh\n');
    await chmod(join(bin, file), 0o755);
  }
}

describe('the postgres global setup', () => {
  it('provides the URL of a server that answers', async () => {
    expect(await pgAnswers(inject('pgUrl'))).toBe(true);
  });

  it('starts a throwaway cluster when nothing answers at the configured URL', async () => {
    const { url, cluster } = await ensurePostgres({ url: await deadUrl() });
    onTestFinished(() => cluster?.remove());
    expect(cluster).not.toBeNull();
    expect(url).toBe(cluster?.url);
    expect(await pgAnswers(url)).toBe(true);
  });

  it('uses the configured server as it is when it answers', async () => {
    const { url, cluster } = await ensurePostgres({ url: inject('pgUrl') });
    expect(url).toBe(inject('pgUrl'));
    expect(cluster).toBeNull();
  });

  it('fails loudly, saying how to install PostgreSQL and without the password, when there are no binaries', async () => {
    const root = await tempDir();
    const failure = ensurePostgres({ url: await deadUrl('s3cret'), binariesRoot: root });
    await expect(failure).rejects.toThrow(/apt-get install -y postgresql.*SITEMSG_PG_URL/);
    await expect(failure).rejects.toThrow(/postgres:\*\*\*@127\.0\.0\.1/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });
});

describe('startThrowawayPostgres', () => {
  it('stops, starts, restarts and removes a cluster of its own', async () => {
    const cluster = await startThrowawayPostgres();
    onTestFinished(() => cluster.remove());
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    expect(await pgAnswers(cluster.url)).toBe(true);

    await cluster.stop();
    expect(await pgAnswers(cluster.url, 1000)).toBe(false);
    await cluster.start();
    expect(await pgAnswers(cluster.url)).toBe(true);

    const client = new pg.Client({ connectionString: cluster.url });
    // The server's "terminating connection" and the socket's end arrive as separate errors.
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    await client.connect();
    await cluster.restart();
    await expect.poll(() => errors.map((e) => e.message).join('\n')).toMatch(/terminat/i);
    await client.end().catch(() => undefined);
    expect(await pgAnswers(cluster.url)).toBe(true);

    await cluster.remove();
    expect(existsSync(cluster.dataDir)).toBe(false);
    expect(await pgAnswers(cluster.url, 1000)).toBe(false);
  });

  it('refuses without binaries and says how to get them', async () => {
    await expect(startThrowawayPostgres({ binariesRoot: await tempDir() })).rejects.toThrow(
      /No PostgreSQL binaries were found under .*apt-get install -y postgresql/,
    );
  });
});

describe('findPostgresBinaries', () => {
  it('picks the newest version that has both initdb and pg_ctl', async () => {
    const root = await tempDir();
    await fakeBinaries(root, '9', ['initdb', 'pg_ctl']);
    await fakeBinaries(root, '15', ['initdb', 'pg_ctl']);
    await fakeBinaries(root, '16', ['initdb']);
    await mkdir(join(root, 'common'));
    expect(findPostgresBinaries(root)).toBe(join(root, '15', 'bin'));
  });

  it('answers null for a missing or empty root', async () => {
    expect(findPostgresBinaries(await tempDir())).toBeNull();
    expect(findPostgresBinaries(join(tmpdir(), 'sitemsg-no-such-dir'))).toBeNull();
  });
});

describe('redactPgUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactPgUrl('postgres://app:hunter2@db.example.test:5433/shop')).toBe(
      'postgres://app:***@db.example.test:5433/shop',
    );
    expect(redactPgUrl('postgres://postgres@127.0.0.1:5432/test')).toBe(
      'postgres://postgres@127.0.0.1:5432/test',
    );
  });
});
