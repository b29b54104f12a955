import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

// Two entries: the library (index) and the executable (bin), which keeps its shebang.
export default defineConfig({ ...baseTsupConfig, entry: ['src/index.ts', 'src/bin.ts'] });
