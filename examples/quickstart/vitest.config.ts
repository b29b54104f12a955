import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sitemsg/source'] },
  // The test runs `npm run start` (tsx from source): seconds on a busy CI machine.
  test: { name: 'example-quickstart', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
