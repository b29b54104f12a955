import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

export default defineConfig({
  ...baseTsupConfig,
  entry: ['src/index.ts', 'src/pglite.ts'],
  // One shared chunk, so that PgliteStore extends the very PostgresStore the main entry exports.
  splitting: true,
});
