import { defineConfig } from 'tsup';
import { baseTsupConfig } from '../../tsup.base.ts';

/**
 * Two entry points (`.` for applications, `./plugin` for plugin authors) built together with code
 * splitting, so the code both re-export lives in one shared chunk: `Messenger`, `DeliveryError` and
 * the rest are one class whichever entry they come through.
 */
export default defineConfig({ ...baseTsupConfig, entry: ['src/index.ts', 'src/plugin.ts'], splitting: true });
