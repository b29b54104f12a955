import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

export default defineConfig({
  ...baseTsupConfig,
  entry: { index: 'src/index.ts', inbox: 'src/inbox/index.ts' },
  // One shared chunk, so that the inbox store runs on the same connection, options and error code.
  splitting: true,
});
