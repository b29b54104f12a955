import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

export default defineConfig({
  ...baseTsupConfig,
  entry: ['src/index.ts', 'src/testing.ts'],
  // Shared chunks, so that a class imported from "." and from "./testing" is one class.
  splitting: true,
});
