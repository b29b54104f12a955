import { ConfigurationError } from './errors.js';

/** What `checkOptionNames` checks a plugin's options against. */
export interface OptionNameRules {
  /** The plugin's name: messages start with `[<prefix>] `, e.g. `[sendgrid] unknown option ...`. */
  readonly prefix: string;
  /** Every option name the plugin takes, in the order the message lists them. */
  readonly known: Iterable<string>;
  /** Where an option that belongs elsewhere goes, by its name (e.g. `siteUrl`: "an option of createSitemsg"). */
  readonly hints?: Readonly<Record<string, string>>;
}

/**
 * Throws a `ConfigurationError` naming the first option of `options` that is not `known`, with
 * its hint when it belongs elsewhere, and the known names. Never quotes an option's value.
 */
export function checkOptionNames(options: object, rules: OptionNameRules): void {
  const known = [...rules.known];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = rules.hints?.[key];
    throw new ConfigurationError(
      `[${rules.prefix}] unknown option "${key}"${hint ? ` (${hint})` : ''} (known: ${known.join(', ')}).`,
    );
  }
}
