import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningDemo, startDemo } from './demo.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

let run: RunningDemo;
let browser: Browser;
beforeAll(async () => {
  run = await startDemo('browser');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await run?.stop();
});

it('signs in, gets notifications in the bell, reads one and marks the rest read', async () => {
  const page = await browser.newPage();
  await page.goto(run.url);
  await page.selectOption('select[name=user]', '1');
  await Promise.all([page.waitForURL(`${run.url}/`), page.click('button[type=submit]')]);
  await expect(page.textContent('#bell-count')).resolves.toBe('0');

  for (let i = 0; i < 2; i++) {
    await Promise.all([page.waitForURL(`${run.url}/`), page.click('#ship')]);
  }
  await expect(page.textContent('#bell-count')).resolves.toBe('2');
  await expect(page.locator('#inbox li.unread').count()).resolves.toBe(2);
  mkdirSync(join(import.meta.dirname, '..', '.tmp'), { recursive: true });
  await page.screenshot({ path: join(import.meta.dirname, '..', '.tmp', 'home.png'), fullPage: true });

  await Promise.all([page.waitForURL(/\/messages\//), page.click('#inbox li.unread a >> nth=0')]);
  await expect(page.textContent('h1')).resolves.toMatch(/^Order #\d+ shipped$/);
  await page.goBack();
  await page.reload();
  await expect(page.textContent('#bell-count')).resolves.toBe('1');

  await page.click('#mark-all'); // the script: CSRF token from the API, then POST read-all
  await page.waitForFunction("document.getElementById('bell-count').textContent === '0'");
  await expect(page.locator('#inbox li.unread').count()).resolves.toBe(0);
  expect(await run.demo.inbox.countUnread('1')).toBe(0);
  await page.close();
});

it('after sign-in, returns to the page that asked for it, and never to another site', async () => {
  const page = await browser.newPage();
  await page.goto(`${run.url}/sitemsg/preferences`);
  await page.waitForURL(`${run.url}/?next=%2Fsitemsg%2Fpreferences`);
  await page.selectOption('select[name=user]', '2');
  await Promise.all([page.waitForURL(`${run.url}/sitemsg/preferences`), page.click('button[type=submit]')]);
  await expect(page.textContent('h1')).resolves.toBe('Notification preferences');

  for (const next of ['//evil.example', '/\\evil.example', 'https://evil.example', '/.//evil.example']) {
    await page.context().clearCookies(); // signed out again
    await page.goto(`${run.url}/?next=${encodeURIComponent(next)}`);
    await page.selectOption('select[name=user]', '1');
    await Promise.all([page.waitForURL(`${run.url}/`), page.click('button[type=submit]')]);
    await expect(page.textContent('h1')).resolves.toBe('Notifications');
  }
  await page.close();
});

it('refuses a sign-in posted by another site’s form (login CSRF)', async () => {
  // Another site's page that signs its visitor in to the attacker's account as soon as it loads.
  const attacker = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(
      `<form id="f" method="post" action="${run.url}/login"><input name="user" value="2"></form><script>document.getElementById('f').submit()</script>`,
    );
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  try {
    const page = await browser.newPage();
    const answer = page.waitForResponse(`${run.url}/login`);
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    const res = await answer;
    expect(res.status()).toBe(403);
    await expect(res.text()).resolves.not.toMatch(/\n\s+at /);
    await page.goto(run.url);
    await expect(page.locator('select[name=user]').count()).resolves.toBe(1); // still signed out
    await page.close();
  } finally {
    attacker.closeAllConnections();
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
  }
});
