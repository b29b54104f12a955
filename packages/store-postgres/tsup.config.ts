import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

export default defineConfig({
  ...baseTsupConfig,
  entry: { index: 'src/index.ts', pglite: 'src/pglite.ts', inbox: 'src/inbox/index.ts' },
  // One shared chunk, so that PgliteStore extends the very PostgresStore the main entry exports
  // (and the inbox store runs on the same pool, naming and migration code).
  splitting: true,
});
