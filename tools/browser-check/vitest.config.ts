import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'browser-check', include: ['*.test.ts'] },
});
