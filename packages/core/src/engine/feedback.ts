// Recording delivery feedback: find the dispatch it is about, keep it there (once per provider
// event), tell the application, and apply the suppression policy so that the next scheduling
// leaves a dead, bounced or opted-out address out.
import { ValidationError } from '../errors.js';
import {
  ALL_MESSAGE_TYPES,
  type FeedbackInput,
  FeedbackKind,
  type FeedbackOutcome,
  type FeedbackRecord,
  type SuppressingFeedback,
} from '../feedback.js';
import { assertStorableKey, storableText } from '../storable.js';
import type { DispatchRecord } from '../types.js';
import { type EngineContext, nowDate } from './context.js';
import { markDispatchRead } from './link-actions.js';

const KINDS = new Set<string>(Object.values(FeedbackKind));
const DETAIL_LENGTH = 500;

/** Records one piece of feedback; see `Sitemsg.recordFeedback`. */
export async function recordFeedback(ctx: EngineContext, input: FeedbackInput): Promise<FeedbackOutcome> {
  checkInput(input);
  const dispatch = await findDispatch(ctx, input);
  const address = dispatch?.address ?? input.address;
  if (address === undefined) {
    throw new ValidationError(
      `[${input.messenger}] feedback names no known dispatch (id ${input.dispatchId ?? '-'}, provider id ${input.providerMessageId ?? '-'}) and no address.`,
      { code: 'UNKNOWN_DISPATCH' },
    );
  }
  const messenger = dispatch?.messenger ?? input.messenger;
  const record = dispatch ? toRecord(ctx, dispatch.id, input) : null;
  if (record && !(await ctx.store.addFeedback(record))) {
    return { recorded: false, dispatchId: record.dispatchId, address, suppressed: false };
  }
  const suppressed = await applyPolicy(ctx, input, messenger, address);
  const at = record?.at ?? input.at ?? nowDate(ctx);
  ctx.events.emit('feedback:recorded', {
    kind: input.kind,
    messenger,
    address,
    dispatch,
    bounce: input.kind === 'bounced' ? (input.bounce ?? 'hard') : null,
    providerCode: input.providerCode ?? null,
    suppressed,
    at,
  });
  await announce(ctx, input, dispatch, messenger, address, at);
  return { recorded: true, dispatchId: dispatch?.id ?? null, address, suppressed };
}

function checkInput(input: FeedbackInput): void {
  if (typeof input !== 'object' || input === null || !KINDS.has(input.kind)) {
    throw new ValidationError(
      `recordFeedback(): kind must be one of ${[...KINDS].join(', ')} (got ${String(input?.kind)}).`,
    );
  }
  assertStorableKey(input.messenger, 'recordFeedback(): messenger');
  if (input.dispatchId !== undefined) assertStorableKey(input.dispatchId, 'recordFeedback(): dispatchId');
  if (input.providerMessageId !== undefined) {
    assertStorableKey(input.providerMessageId, 'recordFeedback(): providerMessageId');
  }
  if (input.address !== undefined) assertStorableKey(input.address, 'recordFeedback(): address');
  if (input.bounce !== undefined && input.bounce !== 'hard' && input.bounce !== 'soft') {
    throw new ValidationError(`recordFeedback(): bounce must be "hard" or "soft".`);
  }
  if (input.at !== undefined && !(input.at instanceof Date && !Number.isNaN(input.at.getTime()))) {
    throw new ValidationError('recordFeedback(): at must be a valid Date.');
  }
}

async function findDispatch(ctx: EngineContext, input: FeedbackInput): Promise<DispatchRecord | null> {
  if (input.dispatchId !== undefined) {
    const dispatch = await ctx.store.getDispatch(input.dispatchId);
    if (dispatch) return dispatch;
  }
  if (input.providerMessageId !== undefined) {
    return ctx.store.findDispatchByProviderId(input.messenger, input.providerMessageId);
  }
  return null;
}

function toRecord(ctx: EngineContext, dispatchId: string, input: FeedbackInput): FeedbackRecord {
  return {
    dispatchId,
    kind: input.kind,
    bounce: input.kind === 'bounced' ? (input.bounce ?? 'hard') : null,
    providerCode: input.providerCode === undefined ? null : storableText(input.providerCode, 200),
    detail: input.detail === undefined ? null : storableText(input.detail, DETAIL_LENGTH),
    eventId: input.eventId ?? null,
    at: input.at ?? nowDate(ctx),
  };
}

/** Suppresses (or, for an opt-in, lifts) the address on the messenger for every message type. */
async function applyPolicy(
  ctx: EngineContext,
  input: FeedbackInput,
  messenger: string,
  address: string,
): Promise<boolean> {
  if (input.kind === 'opted-in') {
    await ctx.store.removeSuppressions({ messenger, address, messageType: ALL_MESSAGE_TYPES });
    return false;
  }
  if (!ctx.options.suppressOn.has(policyKey(input))) return false;
  await ctx.store.addSuppression({ messageType: ALL_MESSAGE_TYPES, messenger, address });
  return true;
}

function policyKey(input: FeedbackInput): SuppressingFeedback | string {
  return input.kind === 'bounced' ? `bounced:${input.bounce ?? 'hard'}` : input.kind;
}

/** The kind's own event and hook: delivered, read (marks the dispatch read), a dead address. */
async function announce(
  ctx: EngineContext,
  input: FeedbackInput,
  dispatch: DispatchRecord | null,
  messenger: string,
  address: string,
  at: Date,
): Promise<void> {
  if (input.kind === 'delivered') {
    ctx.events.emit('dispatch:delivered', {
      dispatchId: dispatch?.id ?? null,
      address,
      messenger,
      ...(dispatch?.providerMessageId && { providerMessageId: dispatch.providerMessageId }),
      at,
    });
  } else if (input.kind === 'read' && dispatch) {
    await markDispatchRead(ctx, dispatch.id);
  } else if (input.kind === 'address-invalid' && ctx.options.onAddressInvalid) {
    try {
      await ctx.options.onAddressInvalid({ messenger, address, userId: dispatch?.userId ?? null, dispatch });
    } catch (error) {
      ctx.options.logger.error(
        `[sitemsg] onAddressInvalid failed for ${messenger} address: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
