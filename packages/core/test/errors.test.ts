import { describe, expect, it } from 'vitest';
import { UnknownMessengerError } from '../src/index.js';
import {
  ConfigurationError,
  DeliveryError,
  isRetryableStatus,
  SignatureError,
  SitemsgError,
  ValidationError,
} from '../src/plugin.js';

describe('errors', () => {
  it('isInstance follows the class hierarchy, also for copies made by another install (same markers)', () => {
    const unknown = new UnknownMessengerError('sms');
    expect(SitemsgError.isInstance(unknown)).toBe(true);
    expect(ValidationError.isInstance(unknown)).toBe(true);
    expect(UnknownMessengerError.isInstance(unknown)).toBe(true);
    expect(SignatureError.isInstance(unknown)).toBe(false);
    expect(ConfigurationError.isInstance(new Error('plain'))).toBe(false);
    const foreign = Object.defineProperty(
      new Error('from another copy'),
      Symbol.for('@sitemsg/core/error/ValidationError'),
      {
        value: true,
      },
    );
    expect(ValidationError.isInstance(foreign)).toBe(true);
    expect(unknown).toMatchObject({ name: 'UnknownMessengerError', code: 'UNKNOWN_MESSENGER', alias: 'sms' });
    expect(unknown.message).toMatch(/^\[sitemsg\] Unknown messenger "sms"/);
  });

  it('classifies provider answers: 408/409/429/5xx and network errors retry, other 4xx are permanent', () => {
    expect([undefined, 408, 409, 429, 500, 503].map(isRetryableStatus)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([400, 401, 403, 404, 413, 422].map(isRetryableStatus)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    const error = new DeliveryError('rate limited', {
      statusCode: 429,
      retryAfterMs: 5000,
      responseBody: 'x'.repeat(2000),
    });
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 5000 });
    expect(error.responseBody).toHaveLength(500);
  });
});

describe('DeliveryError classification', () => {
  it('refuses an unclassified error instead of retrying a permanent failure ten times', () => {
    const unclassified = DeliveryError as unknown as new (message: string, options?: object) => DeliveryError;
    expect(() => new unclassified('invalid address')).toThrow(ConfigurationError);
    expect(() => new unclassified('invalid address', {})).toThrow(
      /pass \{ retryable: true \| false \}.*or the provider's \{ statusCode \}/,
    );
    expect(() => new unclassified('invalid address', { providerCode: 'bad' })).toThrow(ConfigurationError);
    expect(() => new unclassified('x', { retryable: 'no' })).toThrow(/retryable must be true or false/);
    expect(() => new unclassified('x', { statusCode: '550' })).toThrow(/statusCode must be an integer/);
  });

  it('classifies by retryable, else by statusCode, and has factories that say which', () => {
    expect(new DeliveryError('a', { retryable: false }).retryable).toBe(false);
    expect(new DeliveryError('a', { statusCode: 404 }).retryable).toBe(false);
    expect(new DeliveryError('a', { statusCode: 503 }).retryable).toBe(true);
    expect(new DeliveryError('a', { statusCode: 503, retryable: false }).retryable).toBe(false);
    const permanent = DeliveryError.permanent('invalid address', { statusCode: 550, providerCode: '5.1.1' });
    expect(permanent).toMatchObject({
      retryable: false,
      statusCode: 550,
      providerCode: '5.1.1',
      code: 'DELIVERY_ERROR',
    });
    expect(permanent).toBeInstanceOf(DeliveryError);
    const cause = new Error('ECONNRESET');
    const retryable = DeliveryError.retryable('connection reset', { cause, retryAfterMs: 1000 });
    expect(retryable).toMatchObject({ retryable: true, retryAfterMs: 1000, cause });
    expect(DeliveryError.retryable('x').message).toBe('[sitemsg] x');
  });
});
