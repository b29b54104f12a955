import { defineProject } from 'vitest/config';

// No "@sitemsg/source" condition on purpose: the example runs against the built @sitemsg/core and
// @sitemsg/testing, exactly what a third-party author installs from npm (run `pnpm build` first).
export default defineProject({
  test: { name: 'example-custom-messenger', include: ['test/**/*.test.ts'] },
});
