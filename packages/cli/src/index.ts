export type { Command, CommandName } from './args.js';
export type { LoadEngineOptions, LoadedEngine } from './config/load.js';
export { loadEngine } from './config/load.js';
export {
  type DriverEntry,
  defineConfig,
  type MessengerEntry,
  type SitemsgConfig,
  type SitemsgConfigExport,
} from './config/types.js';
export { ExitCode } from './errors.js';
export type { CliIo } from './io.js';
export { main } from './main.js';
export { formatCounts } from './output.js';
