import { parseArgs } from 'node:util';
import { RUN_OPTION_LIMITS } from '@sitemsg/core';
import { usageError } from './errors.js';

export type CommandName = 'send-scheduled' | 'cleanup' | 'probe' | 'prepare' | 'work';

export type Command =
  | {
      readonly name: 'send-scheduled';
      readonly priority?: number;
      readonly ignoreUnknown: boolean;
      readonly batchSize?: number;
      readonly concurrency?: number;
    }
  | { readonly name: 'cleanup'; readonly ago: number; readonly dispatchesOnly: boolean }
  | { readonly name: 'probe'; readonly messenger: string; readonly to: string; readonly text?: string }
  | { readonly name: 'prepare' }
  | {
      readonly name: 'work';
      readonly pollInterval?: number;
      readonly concurrency?: number;
      readonly batchSize?: number;
      readonly priority?: number;
    };

export type Invocation =
  | { readonly kind: 'help'; readonly topic?: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly command: Command; readonly config?: string; readonly verbose: boolean };

const OPTIONS = {
  config: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  priority: { type: 'string' },
  'ignore-unknown': { type: 'boolean' },
  'batch-size': { type: 'string' },
  concurrency: { type: 'string' },
  ago: { type: 'string' },
  'dispatches-only': { type: 'boolean' },
  to: { type: 'string' },
  text: { type: 'string' },
  'poll-interval': { type: 'string' },
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

const GLOBAL = ['config', 'verbose', 'help', 'version'];
const ALLOWED: Readonly<Record<CommandName, readonly string[]>> = {
  'send-scheduled': ['priority', 'ignore-unknown', 'batch-size', 'concurrency'],
  cleanup: ['ago', 'dispatches-only'],
  probe: ['to', 'text'],
  prepare: [],
  work: ['poll-interval', 'concurrency', 'batch-size', 'priority'],
};

/** Parses the command line strictly: an unknown flag, a missing value or a stray argument is a usage error. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const { values, positionals } = parseStrict(argv);
  const [name, ...rest] = positionals;
  if (values.version) return { kind: 'version' };
  if (name === 'help') return rest[0] === undefined ? { kind: 'help' } : { kind: 'help', topic: rest[0] };
  if (values.help) return name === undefined ? { kind: 'help' } : { kind: 'help', topic: name };
  if (name === undefined) throw usageError('no command given.');
  if (!isCommandName(name)) throw usageError(`unknown command "${name}".`);
  for (const flag of Object.keys(values)) {
    if (!GLOBAL.includes(flag) && !ALLOWED[name].includes(flag)) {
      throw usageError(`${name} does not take --${flag}.`);
    }
  }
  const command = buildCommand(name, values, rest);
  return {
    kind: 'run',
    command,
    verbose: values.verbose === true,
    ...(values.config !== undefined && { config: values.config }),
  };
}

function parseStrict(argv: readonly string[]): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    throw usageError(describeParseError(error));
  }
}

/** Node's parseArgs messages are long and name the flag in quotes; keep the flag, say it shortly. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'an option';
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}.`;
  if (message.includes('does not take an argument')) return `${flag} takes no value.`;
  if (message.includes('ambiguous')) return `${flag} needs a value (write ${flag}=-1 for a negative number).`;
  if (message.includes('argument missing')) return `${flag} needs a value.`;
  return message.split('\n')[0] ?? message;
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(ALLOWED, name);
}

function buildCommand(name: CommandName, values: Values, rest: readonly string[]): Command {
  const extra = name === 'probe' ? rest.slice(1) : rest;
  if (extra.length > 0) throw usageError(`${name} takes no argument "${extra[0]}".`);
  switch (name) {
    case 'send-scheduled':
      return {
        name,
        ignoreUnknown: values['ignore-unknown'] === true,
        ...optionalInt('priority', values.priority),
        ...optionalInt('batchSize', values['batch-size'], RUN_OPTION_LIMITS.batchSize, '--batch-size'),
        ...optionalInt('concurrency', values.concurrency, RUN_OPTION_LIMITS.concurrency),
      };
    case 'cleanup':
      return { name, ago: days(values.ago), dispatchesOnly: values['dispatches-only'] === true };
    case 'probe':
      return probe(rest[0], values);
    case 'prepare':
      return { name };
    case 'work':
      return {
        name,
        ...optionalInt(
          'pollInterval',
          values['poll-interval'],
          RUN_OPTION_LIMITS.pollInterval,
          '--poll-interval',
        ),
        ...optionalInt('concurrency', values.concurrency, RUN_OPTION_LIMITS.concurrency),
        ...optionalInt('batchSize', values['batch-size'], RUN_OPTION_LIMITS.batchSize, '--batch-size'),
        ...optionalInt('priority', values.priority),
      };
  }
}

function probe(messenger: string | undefined, values: Values): Command {
  if (messenger === undefined)
    throw usageError('probe needs the messenger alias: sitemsg probe smtp --to ...');
  if (values.to === undefined) throw usageError('probe needs --to ADDRESS.');
  return {
    name: 'probe',
    messenger,
    to: values.to,
    ...(values.text !== undefined && { text: values.text }),
  };
}

/** Bounded like core's cleanupSentMessages(), so a wrong --ago is a usage error (exit 2), never "delete everything". */
function days(value: string | undefined): number {
  if (value === undefined) throw usageError('cleanup needs --ago DAYS (0 deletes every sent dispatch).');
  const parsed = Number(value);
  const { max } = RUN_OPTION_LIMITS.cleanupAgoDays;
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > max) {
    throw usageError(`--ago must be a number of days from 0 to ${max} (100 years; got "${value}").`);
  }
  return parsed;
}

/** An integer flag, within core's documented bounds when it has them (checked here for exit code 2). */
function optionalInt<K extends string>(
  key: K,
  value: string | undefined,
  bounds?: { readonly min: number; readonly max: number },
  flag = `--${key}`,
): { [P in K]?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || (bounds && (n < bounds.min || n > bounds.max))) {
    const bound = bounds ? `an integer from ${bounds.min} to ${bounds.max}` : 'an integer';
    throw usageError(`${flag} must be ${bound} (got "${value}").`);
  }
  return { [key]: n } as { [P in K]?: number };
}
