import * as app from '@sitemsg/core';
import * as plugin from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';

/**
 * What a plugin and the application import meet in one engine: the built `@sitemsg/core` and
 * `@sitemsg/core/plugin` share one build, so a class or constant both export is the same value
 * (a messenger's `DeliveryError` is the engine's, `ValidationError.isInstance` and `instanceof`
 * agree whichever entry the caller used).
 */
describe('@sitemsg/core and @sitemsg/core/plugin (built)', () => {
  it('export the same value under a shared name', () => {
    const appValues = new Map<string, unknown>(Object.entries(app));
    const shared = Object.entries(plugin).filter(([name]) => appValues.has(name));
    expect(shared.map(([name]) => name)).toEqual(expect.arrayContaining(['DeliveryError', 'SitemsgError']));
    for (const [name, value] of shared) expect(value, name).toBe(appValues.get(name));
  });

  it('an error a plugin throws is the one the application catches', () => {
    const thrown = new plugin.ConfigurationError('[sitemsg] [webhook] bad option');
    expect(thrown).toBeInstanceOf(app.ConfigurationError);
    expect(thrown).toBeInstanceOf(app.SitemsgError);
  });
});
