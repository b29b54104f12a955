/** The text `--help` prints and usage errors end with. Every flag listed here is wired and tested. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  'send-scheduled': `sitemsg send-scheduled [--priority N] [--ignore-unknown] [--batch-size N] [--concurrency N]
  Sends every dispatch that is due, batch by batch, and prints the counts.
  SIGTERM / SIGINT stop claiming; the batches in hand finish and are recorded.
    --priority N       only messages of exactly this priority
    --ignore-unknown   leave dispatches of unregistered messengers / message types pending
    --batch-size N     dispatches claimed per batch, 1 to 10000 (default 100)
    --concurrency N    batches in flight at once, 1 to 64 (default 1)`,
  cleanup: `sitemsg cleanup --ago DAYS [--dispatches-only]
  Deletes sent dispatches older than DAYS days, then the messages left without dispatches.
    --ago DAYS         age in days, 0 to 36525 (0: every sent dispatch)
    --dispatches-only  keep the messages`,
  probe: `sitemsg probe <messenger> --to ADDRESS [--text T]
  Sends a test message straight through one messenger (nothing is stored).
    --to ADDRESS       where to send it
    --text T           the text (default: "This is a sitemsg test message.")`,
  prepare: `sitemsg prepare
  Creates the dispatches of messages scheduled without recipients, from subscriptions.`,
  work: `sitemsg work [--poll-interval MS] [--concurrency N] [--batch-size N] [--priority N]
  Runs the worker: prepares and sends until SIGTERM / SIGINT (the batches in hand finish).
    --poll-interval MS wait between polls when idle, 10 to 3600000 (default 1000)
    --concurrency N    batches in flight at once, 1 to 64 (default 1)
    --batch-size N     dispatches claimed per batch, 1 to 10000 (default 100)
    --priority N       only messages of exactly this priority`,
};

export const GENERAL_HELP: string = `Usage: sitemsg <command> [options]

Commands:
  send-scheduled   send the dispatches that are due
  cleanup          delete old sent dispatches and their messages
  probe            send a test message through one messenger
  prepare          create dispatches from subscriptions
  work             run the worker until stopped

Options for every command:
  --config PATH    the config file (default: sitemsg.config.{ts,mts,mjs,js,cjs} in the current directory)
  --verbose        stack traces and the names of applied SITEMSG__* overrides
  -h, --help       this help (or: sitemsg <command> --help)
  -v, --version    the version

Environment: SITEMSG__<KEY>__<KEY>=value overrides a config value (e.g. SITEMSG__SMTP__PASSWORD).`;

export function helpFor(command: string | undefined): string {
  const specific = command === undefined ? undefined : COMMAND_HELP[command];
  return specific === undefined ? GENERAL_HELP : `Usage: ${specific}`;
}
