import {
  type CompiledMessage,
  type DispatchResult,
  err,
  HealthCache,
  type HealthStatus,
  Messenger,
  type OutgoingDispatch,
  ok,
  pushPayload,
  type Result,
  type SentReceipt,
  type SitemsgUser,
  sendEach,
  ValidationError,
} from '@sitemsg/core/plugin';
import { parseDeviceToken } from './address.js';
import { ApnsConnection, type PushAnswer } from './apns-connection.js';
import { type ApnsFailure, classifyAnswer } from './apns-outcome.js';
import {
  apnsIdFor,
  buildNotification,
  MAX_PAYLOAD_BYTES,
  payloadProblem,
  payloadSizeBound,
  sizeProblem,
} from './apns-payload.js';
import { ApnsDeliveryError } from './errors.js';
import {
  type ApnsEnvironment,
  type ApnsMessengerOptions,
  type ApnsPushType,
  type ResolvedApnsOptions,
  resolveOptions,
} from './options.js';

/**
 * What a sent dispatch's result carries: `providerMessageId` is the `apns-id` APNs answered with
 * (the one this messenger sent: a UUID derived from the dispatch id, the same on every attempt).
 */
export interface ApnsSentReceipt extends SentReceipt {
  readonly providerMessageId: string;
}

/** Stands in for the dispatch's `apns-id` when only the payload's size is checked. */
const SIZE_CHECK_ID = '00000000-0000-5000-8000-000000000000';

/**
 * Push notifications to Apple devices through APNs (node-apn, token-based auth). A user's
 * addresses are their device tokens (`tokensField`, default `apnsTokens`): each is a dispatch of
 * its own, and a dead one (`BadDeviceToken`, `DeviceTokenNotForTopic`, `410 Unregistered`) fails
 * alone with address-invalid feedback, which suppresses it. `init()` opens one HTTP/2 connection
 * that every batch shares; `close()` closes it.
 */
export class ApnsMessenger extends Messenger {
  static override alias: string = 'apns';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the key.
  readonly #settings: ResolvedApnsOptions;
  readonly #health: HealthCache;
  /** `checkCompiled`'s answers: a message compiled once for many tokens is built and measured once. */
  readonly #checked = new WeakMap<CompiledMessage, string | null>();
  #connection: ApnsConnection | null = null;

  constructor(options: ApnsMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.messenger);
    this.#settings = settings;
    this.#health = new HealthCache(settings.healthCacheMs, settings.clock);
  }

  /** The bundle id pushes are sent for. */
  get topic(): string {
    return this.#settings.topic;
  }

  /** Which APNs servers this messenger talks to. */
  get environment(): ApnsEnvironment {
    return this.#settings.environment;
  }

  /** Where pushes go: `host:port` (Apple's host for the environment unless `address` says otherwise). */
  get endpoint(): string {
    return `${this.#settings.address}:${this.#settings.port}`;
  }

  /** `apns-push-type` of every push it sends. */
  get pushType(): ApnsPushType {
    return this.#settings.pushType;
  }

  /** A user's device tokens, normalised; a malformed one is kept as it is, so that scheduling refuses it. */
  protected override addressesFromUser(user: SitemsgUser): readonly string[] {
    const value = user[this.#settings.tokensField];
    const tokens = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
    return tokens
      .filter((t): t is string => typeof t === 'string' && t.trim() !== '')
      .map((t) => parseDeviceToken(t) ?? t);
  }

  override validateAddress(address: string): boolean {
    return parseDeviceToken(address) !== undefined;
  }

  /** Raw tokens are stored normalised (lowercase hex), so that suppressions match them. */
  override resolveAddresses(recipient: SitemsgUser | string): Result<readonly string[], ValidationError> {
    if (typeof recipient !== 'string') {
      const bad = this.addressesFromUser(recipient).find((t) => parseDeviceToken(t) === undefined);
      if (bad !== undefined)
        return err(this.badToken(`user ${String(recipient.id)}'s "${bad.slice(0, 80)}"`));
      return super.resolveAddresses(recipient);
    }
    const token = parseDeviceToken(recipient);
    return token === undefined ? err(this.badToken(`"${recipient.slice(0, 80)}"`)) : ok([token]);
  }

  /** A push APNs would refuse (over 4 KB, a malformed push part, nothing to show) cannot be sent. */
  override checkCompiled(compiled: CompiledMessage): string | null {
    const known = this.#checked.get(compiled);
    if (known !== undefined) return known;
    const push = pushPayload(compiled);
    const problem = payloadProblem(push, this.#settings.pushType);
    // The payload's size does not depend on the dispatch (apns-id and expiration are headers); it
    // is built and measured only when the cheap bound comes near the limit.
    const { pushType } = this.#settings;
    const reason =
      problem ??
      (payloadSizeBound(push) <= MAX_PAYLOAD_BYTES[pushType]
        ? null
        : sizeProblem(
            buildNotification(push, this.#settings, this.#settings.clock.now(), SIZE_CHECK_ID),
            pushType,
          ));
    this.#checked.set(compiled, reason);
    return reason;
  }

  /**
   * Opens the HTTP/2 connection and checks the credentials and topic with one probe push (to a
   * token no device has; see `healthCheck`). A refusal is logged and turns the health unhealthy;
   * it does not stop start-up, and the connection is opened again when a batch needs it.
   */
  override async init(): Promise<void> {
    if (this.#connection !== null) return;
    const status = this.healthOf(await this.connection().probe());
    this.#health.observe(status);
    if (status.status !== 'healthy') {
      this.#settings.logger.error?.(status.detail ?? `[sitemsg] [${this.alias}] APNs is not usable.`, {
        messenger: this.alias,
      });
    }
  }

  /** Closes the connection once the pushes in flight have their answers. */
  override async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = null;
    await connection?.close();
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<readonly DispatchResult[]> {
    const connection = this.connection();
    // After refused credentials, an APNs outage or a dropped connection, the rest is not tried.
    const results = await sendEach(batch, {
      concurrency: this.#settings.concurrency,
      deliver: (item) => this.deliver(connection, item),
    });
    this.reportConfiguration(results);
    return results;
  }

  /**
   * Asks APNs whether it takes the provider token and the topic: a silent push to an all-zero
   * device token, which APNs refuses as `BadDeviceToken` when it accepted everything else (healthy)
   * and with `403` when it did not. Answers are cached (`healthCacheMs`); a send refused for the
   * credentials turns it unhealthy at once, an accepted one healthy.
   */
  override healthCheck(): Promise<HealthStatus> {
    return this.#health.get(async () => this.healthOf(await this.connection().probe()));
  }

  private connection(): ApnsConnection {
    this.#connection ??= new ApnsConnection(this.#settings);
    return this.#connection;
  }

  private async deliver(
    connection: ApnsConnection,
    item: OutgoingDispatch,
  ): Promise<Result<ApnsSentReceipt, ApnsFailure>> {
    const token = parseDeviceToken(item.dispatch.address);
    if (token === undefined) {
      const error = new ApnsDeliveryError(
        `[${this.alias}] "${item.dispatch.address.slice(0, 80)}" is not an APNs device token; not sent.`,
        { retryable: false, feedback: 'address-invalid' },
      );
      return err({ error, stopBatch: false });
    }
    // Checked by the engine before send() (answered from the cache here), and again for direct callers.
    const refusal = this.checkCompiled(item.compiled);
    if (refusal !== null) {
      const error = new ApnsDeliveryError(`[${this.alias}] ${refusal}; not sent.`, { retryable: false });
      return err({ error, stopBatch: false });
    }
    const apnsId = apnsIdFor(this.#settings.topic, item.dispatch.id);
    const note = buildNotification(
      pushPayload(item.compiled),
      this.#settings,
      this.#settings.clock.now(),
      apnsId,
    );
    const answer = await connection.push(note, token);
    if (answer.ok) {
      this.#health.observe({ status: 'healthy' });
      return ok({ providerMessageId: answer.apnsId ?? apnsId });
    }
    return err(classifyAnswer(answer.answer, this.alias));
  }

  private healthOf(answer: PushAnswer): HealthStatus {
    if (answer.ok) return { status: 'healthy' };
    const { status, reason } = answer.answer;
    if (status === 400 && reason === 'BadDeviceToken') return { status: 'healthy' };
    return { status: 'unhealthy', detail: classifyAnswer(answer.answer, this.alias).error.message };
  }

  private badToken(what: string): ValidationError {
    return new ValidationError(
      `[${this.alias}] ${what} is not an APNs device token: the hex string the app got from registerForRemoteNotifications (64 hex digits or more).`,
      { code: 'BAD_ADDRESS' },
    );
  }

  /** Refused credentials stop all pushes: say so once per batch, in words that name no secret. */
  private reportConfiguration(results: readonly DispatchResult[]): void {
    for (const { result } of results) {
      if (result.ok || !(result.error instanceof ApnsDeliveryError) || !result.error.configuration) continue;
      const { message, statusCode, providerCode } = result.error;
      this.#health.observe({ status: 'unhealthy', detail: message });
      this.#settings.logger.error?.(message, { messenger: this.alias, statusCode, reason: providerCode });
      return;
    }
  }
}
