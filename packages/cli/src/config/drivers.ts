import type { SitemsgDriver } from '@sitemsg/core/plugin';
import type { Jiti } from 'jiti';
import { configError } from '../errors.js';
import { isRecord } from './env.js';
import type { DriverEntry } from './types.js';

export type DriverKind = SitemsgDriver['kind'];

/**
 * First-party driver names and their packages: only packages that exist. Any other package is
 * named by its package name (`driver: '@acme/sitemsg-fax'`) or with `package:`; a bare unknown
 * name is an error, so a typo never passes.
 */
export const KNOWN_DRIVERS: Readonly<Record<DriverKind, Readonly<Record<string, string>>>> = {
  store: {
    postgres: '@sitemsg/store-postgres',
    mongo: '@sitemsg/store-mongo',
  },
  messenger: {
    smtp: '@sitemsg/messenger-smtp',
    sendgrid: '@sitemsg/messenger-sendgrid',
    twilio: '@sitemsg/messenger-twilio',
    vonage: '@sitemsg/messenger-vonage',
    apns: '@sitemsg/messenger-apns',
    fcm: '@sitemsg/messenger-fcm',
    webpush: '@sitemsg/messenger-webpush',
    inbox: '@sitemsg/inbox',
  },
};

/** A driver named by its package: a scoped name, or a name with `sitemsg` in it (`sitemsg-fax`). */
function isPackageName(name: string): boolean {
  return /^(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*|[a-z0-9][\w.-]*sitemsg[\w.-]*)$/.test(name);
}

/**
 * Finds the driver an entry names: imports its package from the application's directory (so
 * the application's own installed version is used) and picks the exported driver of that kind and name.
 */
export async function loadDriver(
  jiti: Jiti,
  configDir: string,
  kind: DriverKind,
  where: string,
  entry: DriverEntry,
): Promise<SitemsgDriver> {
  const known = KNOWN_DRIVERS[kind][entry.driver];
  const byPackage = entry.package === undefined && known === undefined && isPackageName(entry.driver);
  const spec = entry.package ?? known ?? (byPackage ? entry.driver : undefined);
  if (spec === undefined) {
    const names = [...(kind === 'store' ? ['memory'] : []), ...Object.keys(KNOWN_DRIVERS[kind])];
    throw configError(
      `${where}: unknown ${kind} driver "${entry.driver}" (known: ${names.join(', ')}); for a third-party driver name its package (driver: '@scope/package') or add package: 'its-npm-package'.`,
    );
  }
  const resolved = jiti.esmResolve(spec, { try: true });
  if (resolved === undefined) {
    throw configError(
      spec.startsWith('.')
        ? `${where}: the driver module "${spec}" was not found in ${configDir} (paths are relative to the config file).`
        : `${where}: driver "${entry.driver}" needs the package "${spec}", which is not installed in ${configDir}: install it (e.g. pnpm add ${spec}).`,
    );
  }
  let module: unknown;
  try {
    module = await jiti.import(resolved);
  } catch (cause) {
    throw configError(`${where}: could not load "${spec}": ${describe(cause)}`, cause);
  }
  const drivers = exportedDrivers(module);
  const ofKind = drivers.filter((d) => d.kind === kind);
  // Named by its package, a package's one driver of the kind is the one meant.
  const driver =
    ofKind.find((d) => d.name === entry.driver) ?? (byPackage && ofKind.length === 1 ? ofKind[0] : undefined);
  if (driver) return driver;
  const offered = drivers.map((d) => `${d.kind} "${d.name}"`).join(', ') || 'none';
  throw configError(
    `${where}: "${spec}" exports no ${kind} driver named "${entry.driver}" (it offers: ${offered}); a driver package exports sitemsgDriver.`,
  );
}

function exportedDrivers(module: unknown): SitemsgDriver[] {
  if (!isRecord(module) && typeof module !== 'function') return [];
  const m = module as { sitemsgDriver?: unknown; sitemsgDrivers?: unknown };
  const many = m.sitemsgDrivers;
  const list = [m.sitemsgDriver, ...(Array.isArray(many) ? many : isRecord(many) ? Object.values(many) : [])];
  return list.filter(isDriver);
}

function isDriver(value: unknown): value is SitemsgDriver {
  return (
    isRecord(value) &&
    (value.kind === 'store' || value.kind === 'messenger') &&
    typeof value.name === 'string' &&
    typeof value.create === 'function'
  );
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
