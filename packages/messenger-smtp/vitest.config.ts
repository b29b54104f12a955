import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sitemsg/source'] },
  test: { name: 'messenger-smtp', include: ['test/**/*.test.ts'] },
});
