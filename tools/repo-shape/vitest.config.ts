import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'repo-shape', include: ['*.test.ts'] },
});
