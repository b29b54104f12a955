/**
 * The fake push service's decryptor is checked against RFC 8291's own example (Appendix A) before
 * any test leans on it: these are the RFC's published test values, not credentials.
 */
import { describe, expect, it } from 'vitest';
import { decryptPushMessage, readHeader, userAgentKeysFrom } from './fixtures/ece.js';

const RFC_8291 = {
  plaintext: 'When I grow up, I want to be a watermelon',
  uaPrivateKey: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublicKey: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  authSecret: 'BTBZMqHH6r4Tts7J_aSIgg',
  body:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml' +
    'mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT' +
    'pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};

const keys = () =>
  userAgentKeysFrom(
    Buffer.from(RFC_8291.uaPrivateKey, 'base64url'),
    Buffer.from(RFC_8291.authSecret, 'base64url'),
  );

describe('the fake push service decrypts as RFC 8291 says', () => {
  it("decrypts the RFC's example message with the example keys", () => {
    const k = keys();
    expect(k.ecdh.getPublicKey().toString('base64url')).toBe(RFC_8291.uaPublicKey);
    const body = Buffer.from(RFC_8291.body, 'base64url');
    expect(readHeader(body)).toMatchObject({ recordSize: 4096 });
    expect(decryptPushMessage(body, k).toString('utf8')).toBe(RFC_8291.plaintext);
  });

  it('refuses a tampered body, another auth secret and a truncated header', () => {
    const body = Buffer.from(RFC_8291.body, 'base64url');
    const tampered = Buffer.from(body);
    tampered[tampered.length - 20]! ^= 0x01;
    expect(() => decryptPushMessage(tampered, keys())).toThrow();
    const otherAuth = userAgentKeysFrom(Buffer.from(RFC_8291.uaPrivateKey, 'base64url'), Buffer.alloc(16, 7));
    expect(() => decryptPushMessage(body, otherAuth)).toThrow();
    expect(() => decryptPushMessage(body.subarray(0, 20), keys())).toThrow(/header/);
  });
});
