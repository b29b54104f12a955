import { MESSENGER_CONTRACT_VERSION, SitemsgError, ValidationError } from '@sitemsg/core/plugin';
import { describe, expect, it } from 'vitest';
import { type MessengerHarness, start } from './harness.js';

/** How the messenger names itself and turns recipients into addresses. */
export function addressCases(harness: MessengerHarness): void {
  describe('identity and addresses', () => {
    it('carries the contract version, an alias, a channel and a title', async () => {
      const { messenger } = await start(harness);
      expect(messenger.messengerContractVersion).toBe(MESSENGER_CONTRACT_VERSION);
      expect(messenger.alias).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(messenger.channel).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(typeof messenger.title).toBe('string');
      expect(messenger.title.length).toBeGreaterThan(0);
      expect(typeof messenger.send).toBe('function');
    });

    it("resolves a user to the user's address and a valid raw address to itself", async () => {
      const { messenger, user, userAddress, validAddresses } = await start(harness);
      expect(messenger.resolveAddress(user)).toEqual({ ok: true, value: userAddress });
      for (const address of validAddresses) {
        expect(messenger.validateAddress(address)).toBe(true);
        expect(messenger.resolveAddress(address)).toEqual({ ok: true, value: address });
      }
    });

    it('refuses an invalid address with a ValidationError that names the messenger', async () => {
      const { messenger, invalidAddress } = await start(harness);
      expect(messenger.validateAddress(invalidAddress)).toBe(false);
      const result = messenger.resolveAddress(invalidAddress);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(SitemsgError.isInstance(result.error)).toBe(true);
      expect(result.error).toBeInstanceOf(ValidationError);
      expect(result.error.message).toMatch(/^\[sitemsg\] /);
      expect(result.error.message).toContain(`[${messenger.alias}]`);
    });
  });
}
