import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sitemsg/source'] },
  test: { name: 'store-mongo', include: ['test/**/*.test.ts'] },
});
