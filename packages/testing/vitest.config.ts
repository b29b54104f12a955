import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sitemsg/source'] },
  test: { name: 'testing', include: ['test/**/*.test.ts'] },
});
