import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

export default defineConfig({
  ...baseTsupConfig,
  entry: [
    'src/index.ts',
    'src/store.ts',
    'src/messenger.ts',
    'src/webhook.ts',
    'src/inbox.ts',
    'src/fakes.ts',
  ],
  // Shared chunks, so that a class imported from "." and from "./fakes" is one class.
  splitting: true,
});
