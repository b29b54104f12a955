import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import {
  type DispatchResult,
  err,
  type HealthStatus,
  Messenger,
  type OutgoingDispatch,
  ok,
  type SitemsgUser,
} from '@sitemsg/core/plugin';
import { isValidEmail } from './address.js';
import { SendgridDeliveryError } from './errors.js';
import { type ResolvedSendgridOptions, resolveOptions, type SendgridMessengerOptions } from './options.js';
import { classifyFailure, type Failure, headerValue, recipientError } from './sendgrid-outcome.js';
import { buildRequest, type MessageDefaults, planRequests } from './sendgrid-payload.js';

/** A 400 naming some personalizations drops them and re-sends the rest; bounded so a chatty 400 cannot loop. */
const MAX_RESENDS = 5;

/**
 * E-mail through SendGrid's v3 Mail Send API (`@sendgrid/mail`). Dispatches with the same content
 * share one request, one personalization per recipient carrying `custom_args`
 * `{ dispatch_id, message_id }`, so SendGrid's event webhook maps back to sitemsg.
 */
export class SendgridMessenger extends Messenger {
  static override alias: string = 'sendgrid';
  // Private (#) so that neither util.inspect nor JSON.stringify of the messenger shows the API key.
  readonly #settings: ResolvedSendgridOptions;
  readonly #client: Client;
  readonly #mail: MailService;

  constructor(options: SendgridMessengerOptions) {
    const settings = resolveOptions(options);
    super(settings.messenger);
    this.#settings = settings;
    // One client per messenger, never the SDK's process-wide singleton; setApiKey resets the base URL.
    this.#client = new Client();
    this.#client.setApiKey(settings.apiKey);
    this.#client.setDefaultRequest('baseUrl', `${settings.baseUrl}/`);
    this.#mail = new MailService();
    this.#mail.setClient(this.#client);
    this.#mail.setTimeout(settings.timeoutMs);
  }

  /** The API origin requests go to. */
  get baseUrl(): string {
    return this.#settings.baseUrl;
  }

  protected override addressFromUser(user: SitemsgUser): string | undefined {
    return typeof user.email === 'string' ? user.email : undefined;
  }

  override validateAddress(address: string): boolean {
    return isValidEmail(address);
  }

  async send(batch: readonly OutgoingDispatch[]): Promise<readonly DispatchResult[]> {
    const { requests, unsendable } = planRequests(batch);
    const results: DispatchResult[] = unsendable.map(({ item, reason }) =>
      failed(
        item,
        new SendgridDeliveryError(`[${this.alias}] ${reason}; not retried.`, { retryable: false }),
      ),
    );
    // After a refused key, a rate limit or an unreachable API, requests not yet started are not tried.
    let stopped: SendgridDeliveryError | null = null;
    const lane = async (): Promise<void> => {
      for (let items = requests.shift(); items; items = requests.shift()) {
        const error = stopped;
        if (error) {
          results.push(...items.map((item) => failed(item, error)));
          continue;
        }
        const outcome = await this.deliver(items, 0);
        results.push(...outcome.results);
        stopped ??= outcome.stop;
      }
    };
    const lanes = Math.min(this.#settings.concurrency, requests.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    this.reportConfiguration(results);
    return results;
  }

  /** Checks the key with `GET /v3/scopes`: healthy when it answers and grants `mail.send`. */
  override async healthCheck(): Promise<HealthStatus> {
    try {
      const [, body] = await this.#client.request({ method: 'GET', url: '/v3/scopes' });
      const scopes = (body as { scopes?: unknown } | null)?.scopes;
      if (Array.isArray(scopes) && scopes.includes('mail.send')) return { status: 'healthy' };
      return { status: 'unhealthy', detail: 'the API key lacks the mail.send scope' };
    } catch (thrown) {
      return { status: 'unhealthy', detail: this.classify(thrown).error.message };
    }
  }

  private async deliver(
    items: readonly OutgoingDispatch[],
    resends: number,
  ): Promise<{ results: DispatchResult[]; stop: SendgridDeliveryError | null }> {
    try {
      const [response] = await this.#mail.send(buildRequest(items, this.defaults()));
      const providerMessageId = headerValue(response.headers, 'x-message-id');
      const receipt = providerMessageId ? { providerMessageId } : {};
      return {
        results: items.map((item) => ({ dispatchId: item.dispatch.id, result: ok(receipt) })),
        stop: null,
      };
    } catch (thrown) {
      const failure = this.classify(thrown);
      const named = [...failure.byPersonalization.keys()].some((index) => index < items.length);
      if (named && resends < MAX_RESENDS) {
        return this.dropNamedAndResend(items, failure, resends);
      }
      return {
        results: items.map((item) => failed(item, failure.error)),
        stop: failure.stopBatch ? failure.error : null,
      };
    }
  }

  /** SendGrid named the personalizations it refused: fail those, send the others again. */
  private async dropNamedAndResend(
    items: readonly OutgoingDispatch[],
    failure: Failure,
    resends: number,
  ): Promise<{ results: DispatchResult[]; stop: SendgridDeliveryError | null }> {
    const results: DispatchResult[] = [];
    const rest: OutgoingDispatch[] = [];
    for (const [index, item] of items.entries()) {
      const complaint = failure.byPersonalization.get(index);
      if (complaint === undefined) rest.push(item);
      else results.push(failed(item, recipientError(this.alias, complaint)));
    }
    if (rest.length === 0) return { results, stop: null };
    const next = await this.deliver(rest, resends + 1);
    return { results: [...results, ...next.results], stop: next.stop };
  }

  private classify(thrown: unknown): Failure {
    return classifyFailure(thrown, {
      alias: this.alias,
      apiKey: this.#settings.apiKey,
      now: this.#settings.clock.now(),
    });
  }

  private defaults(): MessageDefaults {
    const { from, replyTo, sandboxMode } = this.#settings;
    return { from, replyTo, sandboxMode };
  }

  /** A refused key stops all mail: say so once per batch, in words that name no secret. */
  private reportConfiguration(results: readonly DispatchResult[]): void {
    for (const { result } of results) {
      if (result.ok || !(result.error instanceof SendgridDeliveryError) || !result.error.configuration)
        continue;
      const { message, statusCode } = result.error;
      this.#settings.logger.error?.(message, { messenger: this.alias, statusCode });
      return;
    }
  }
}

function failed(item: OutgoingDispatch, error: SendgridDeliveryError): DispatchResult {
  return { dispatchId: item.dispatch.id, result: err(error) };
}
