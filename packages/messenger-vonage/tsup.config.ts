import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

export default defineConfig({ ...baseTsupConfig, entry: ['src/index.ts', 'src/testing.ts'] });
