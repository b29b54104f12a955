import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@sitemsg/source'] },
  // Tests run in Vite's SSR environment, which takes its own conditions: workspace packages from source.
  ssr: { resolve: { conditions: ['@sitemsg/source'] } },
  test: {
    name: 'example-express-app',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/postgres-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
