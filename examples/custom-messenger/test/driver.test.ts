import { ConfigurationError, MESSENGER_CONTRACT_VERSION } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { sitemsgDriver, WebhookMessenger } from '../src/index.js';

const context = { name: 'team_chat', primary: true };

describe('sitemsgDriver', () => {
  it('creates a messenger named by the configuration', () => {
    const options = { baseUrl: 'https://hooks.example.com', secret: 's'.repeat(20), timeoutMs: 5000 };
    const messenger = sitemsgDriver.create(options, context);
    expect(messenger).toBeInstanceOf(WebhookMessenger);
    expect(messenger).toMatchObject({ alias: 'team_chat', channel: 'webhook', primary: true });
    expect(messenger.messengerContractVersion).toBe(MESSENGER_CONTRACT_VERSION);
    expect(sitemsgDriver.name).toBe('webhook');
  });

  it('fails loudly on an unknown or missing option', () => {
    expect(() =>
      sitemsgDriver.create({ baseUrl: 'https://h.example', secret: 's'.repeat(20), timout: 1 }, context),
    ).toThrow(/unknown option\(s\) timout/);
    expect(() => sitemsgDriver.create({ baseUrl: 'https://h.example' }, context)).toThrow(ConfigurationError);
  });
});
