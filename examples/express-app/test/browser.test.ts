import { mkdirSync } from 'node:fs';
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
