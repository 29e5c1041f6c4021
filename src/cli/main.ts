import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GatewayError } from '../client/index.js';
import { describeError } from './client.js';
import { ExitCode, listCommand, watchCommand, type CliOutput } from './commands.js';

/** The gateway the CLI talks to when neither `--url` nor `BATCHGATE_URL` says otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

const HELP = `Usage:
  batchgate serve [--config FILE]                   run the gateway itself (batchgate serve --help)
  batchgate list [--json] [--url URL] [--token T]   one line per batch of every backend
  batchgate watch ID [--url URL] [--token T]        follow one batch live until it ends

Options:
  --json         list: a JSON array of the batches instead of lines
  --url URL      the gateway's GraphQL endpoint (default: $BATCHGATE_URL, then ${DEFAULT_URL})
  --token T      bearer token when the gateway requires one (default: $BATCHGATE_TOKEN)
  -h, --help     this text
  -V, --version  the version of batchgate

list prints: BACKEND  STATE  PERCENT  NAME  ID (a header row on a terminal; backends that failed
are named on stderr). watch exits 0 when the batch SUCCEEDED, 1 when it FAILED, 3 when it was
CANCELLED, 4 when the gateway cannot be reached, refuses the token or does not know the batch;
2 on bad usage; 130 when interrupted (Ctrl-C).
`;

/** The version in the project's package.json (two levels up from src/cli/). */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

/** Runs one CLI invocation and returns its exit code (the process entry calls `process.exit` with it). */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, out: CliOutput, signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    out.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return ExitCode.USAGE;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    out.stdout.write(HELP);
    return ExitCode.OK;
  }
  if (values.version) {
    out.stdout.write(`batchgate ${cliVersion()}\n`);
    return ExitCode.OK;
  }
  const url = values.url ?? (env['BATCHGATE_URL'] || DEFAULT_URL);
  if (!/^https?:\/\/[^/]+/.test(url)) {
    out.stderr.write(`--url: expected an http(s) URL such as ${DEFAULT_URL}, got ${JSON.stringify(url)}\n`);
    return ExitCode.USAGE;
  }
  const target = { url, token: values.token ?? (env['BATCHGATE_TOKEN'] || undefined) };
  try {
    if (command === 'list' && rest.length === 0) return await interruptible(listCommand(target, out, { json: values.json ?? false }), signal);
    if (command === 'watch' && rest.length === 1) return await watchCommand(target, rest[0] as string, out, signal);
  } catch (error) {
    out.stderr.write(`error: ${error instanceof GatewayError ? describeError(error) : String(error)}\n`);
    return ExitCode.ERROR;
  }
  out.stderr.write(`${command ? `Unknown or incomplete command: ${[command, ...rest].join(' ')}\n\n` : ''}${HELP}`);
  return ExitCode.USAGE;
}

/** The command's exit code, or 130 as soon as `signal` aborts (Ctrl-C). */
function interruptible(work: Promise<number>, signal?: AbortSignal): Promise<number> {
  if (!signal) return work;
  const interrupted = new Promise<number>((resolve) => {
    if (signal.aborted) resolve(ExitCode.INTERRUPTED);
    signal.addEventListener('abort', () => resolve(ExitCode.INTERRUPTED), { once: true });
  });
  return Promise.race([work, interrupted]);
}

/** True when this module is the program (`node src/cli/main.ts`, or the `bin/batchgate.js` shim). */
export async function main(): Promise<void> {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const code = await runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }, controller.signal);
  // Let stdout drain before exiting (pipes are asynchronous).
  process.stdout.write('', () => process.exit(code));
}
