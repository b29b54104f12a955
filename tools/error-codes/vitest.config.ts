import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'error-codes', include: ['*.test.ts'] },
});
