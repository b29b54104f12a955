import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

// Three entry points: the library, the Mongo store (the only one importing `mongodb`) and the
// store conformance suite (which needs vitest).
export default defineConfig({
  ...baseTsupConfig,
  entry: { index: 'src/index.ts', mongo: 'src/mongo/index.ts', testing: 'src/testing/index.ts' },
  // Shared modules go to one chunk, so `InboxAccessError` is one class whichever entry loads it.
  splitting: true,
});
