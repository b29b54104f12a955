import { defineProject } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.ts';

export default defineProject({
  ...sourceResolution,
  test: {
    name: 'express-views',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/postgres-server.ts'],
    // The browser test starts Chromium and an SMTP server.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
