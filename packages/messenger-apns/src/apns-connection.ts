/**
 * The one HTTP/2 connection to APNs, from opening to closing: node-apn's `Provider` (token-based
 * auth: it signs the ES256 provider token, renews it every 55 minutes, and reconnects when APNs
 * drops the connection), pointed at Apple's host for the environment or at `address`/`port`.
 * node-apn's own retries are off (`connectionRetryLimit: 0`): it would resend a 429 or a 5xx at
 * once, where the engine retries with back-off and counts attempts.
 */
import { Notification, Provider, type ResponseFailure } from '@parse/node-apn';
import { type ApnsAnswer, readFailure } from './apns-outcome.js';
import type { ResolvedApnsOptions } from './options.js';

/** What APNs answered to one push. */
export type PushAnswer =
  | { readonly ok: true; readonly apnsId: string | undefined }
  | { readonly ok: false; readonly answer: ApnsAnswer };

/**
 * A token no device has (all zeros): APNs answers a push to it with `400 BadDeviceToken` once it
 * has accepted the provider token and the topic, and with `403` when it has not.
 */
export const PROBE_TOKEN: string = '0'.repeat(64);

export class ApnsConnection {
  // Private (#): the provider's configuration holds the signing key.
  readonly #provider: Provider;
  readonly #topic: string;
  /** Pushes sent and not yet answered: `close` waits for them. */
  readonly #inFlight = new Set<Promise<PushAnswer>>();

  /** Creates node-apn's provider; the connection itself opens with the first request (`probe`). */
  constructor(settings: ResolvedApnsOptions) {
    this.#topic = settings.topic;
    this.#provider = new Provider({
      token: { key: settings.key, keyId: settings.keyId, teamId: settings.teamId },
      production: settings.environment === 'production',
      address: settings.address,
      port: settings.port,
      ...(settings.ca !== null && { ca: [...settings.ca] }),
      requestTimeout: settings.timeoutMs,
      connectionRetryLimit: 0,
    });
  }

  /** Sends one notification to one device token. Never throws: a failure is an answer. */
  push(note: Notification, token: string): Promise<PushAnswer> {
    const answer = this.send(note, token);
    this.#inFlight.add(answer);
    void answer.finally(() => this.#inFlight.delete(answer));
    return answer;
  }

  private async send(note: Notification, token: string): Promise<PushAnswer> {
    try {
      const { sent, failed } = await this.#provider.send(note, token);
      const accepted = sent[0] as { 'apns-id'?: unknown } | undefined;
      if (accepted) {
        const id = accepted['apns-id'];
        return { ok: true, apnsId: typeof id === 'string' ? id : undefined };
      }
      return { ok: false, answer: readFailure(failed[0] as ResponseFailure | undefined) };
    } catch (thrown) {
      return { ok: false, answer: readFailure({ error: thrown }) };
    }
  }

  /**
   * Opens the connection (or uses the open one) and asks APNs whether it accepts the provider
   * token and the topic: a silent push to `PROBE_TOKEN`, which no device receives.
   */
  probe(): Promise<PushAnswer> {
    const note = new Notification();
    note.topic = this.#topic;
    note.pushType = 'background';
    note.priority = 5;
    note.contentAvailable = true;
    return this.push(note, PROBE_TOKEN);
  }

  /** Closes the connection once the pushes in flight have their answers. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
    await new Promise<void>((resolve) => {
      this.#provider.shutdown(() => resolve());
    });
  }
}
