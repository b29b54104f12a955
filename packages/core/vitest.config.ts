import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sitemsg/source'] },
  test: { name: 'core', include: ['test/**/*.test.ts'] },
});
