import type { Options } from 'tsup';

/** The one build shape every publishable package shares: ESM + .d.ts from src/index.ts. */
export const baseTsupConfig: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  splitting: false,
};
