/** The command line of `npm run replay`, parsed without touching files, the network or the process. */

/** One workflow to fetch from the Temporal server: its latest run unless a run id is given. */
export interface WorkflowTarget {
  workflowId: string;
  runId?: string;
}

export interface ReplayArgs {
  workflows: WorkflowTarget[];
  /** History files, as `temporal workflow show --output json` writes them. */
  files: string[];
  /** Visibility queries: every matching workflow run is replayed. */
  queries: string[];
  /** A prebuilt workflow bundle; otherwise src/workflows is bundled for the run. */
  bundlePath?: string;
  /** Show the SDK's own log lines (replay warnings, bundler output). */
  verbose: boolean;
}

export type ParsedReplayArgs =
  { kind: 'replay'; args: ReplayArgs } | { kind: 'help' } | { kind: 'usage-error'; message: string };

export const replayUsage = `Usage: npm run replay -- [--workflow-id ID [--run-id RUN]]... [--file HISTORY.json]... [--query QUERY]...
                        [--bundle WORKFLOW_BUNDLE.js] [--verbose]

Replays workflow histories against today's workflow code (or a prebuilt bundle) and reports any
determinism failure.

  --workflow-id ID   fetch the history of workflow ID from the Temporal server (TEMPORAL_ADDRESS,
                     TEMPORAL_NAMESPACE); its latest run unless --run-id follows
  --run-id RUN       the run of the --workflow-id just before it
  --file PATH        a history exported by \`temporal workflow show --workflow-id ID --output json\`
  --query QUERY      every workflow run matching a visibility query, e.g.
                     "WorkflowType='orderWorkflow' AND ExecutionStatus='Completed'"
  --bundle PATH      replay against this workflow bundle (default: WORKFLOW_BUNDLE_PATH, else
                     src/workflows/index.ts bundled now)
  --verbose          show the SDK's log lines
  -h, --help         this text

--workflow-id, --file and --query may each be given several times.
Exit codes: 0 every workflow replayed; 1 a workflow failed to replay (nondeterministic or another
replay error); 2 usage error (unknown flag, nothing to replay, unreadable file, workflow not found).`;

const valueFlags = ['--workflow-id', '--run-id', '--file', '--query', '--bundle'] as const;
type ValueFlag = (typeof valueFlags)[number];
const isValueFlag = (name: string): name is ValueFlag => (valueFlags as readonly string[]).includes(name);

/**
 * Parses `npm run replay`'s arguments (`--flag value` or `--flag=value`). `env` supplies
 * WORKFLOW_BUNDLE_PATH when --bundle is not given. Never throws: a mistake is a usage error naming it.
 */
export function parseReplayArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): ParsedReplayArgs {
  const fail = (message: string): ParsedReplayArgs => ({ kind: 'usage-error', message });
  const args: ReplayArgs = { workflows: [], files: [], queries: [], verbose: false };
  let bundlePath: string | undefined;
  /** The option just before this one: --run-id belongs to a --workflow-id right before it. */
  let previous: string | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--verbose') {
      args.verbose = true;
      previous = arg;
      continue;
    }
    if (arg === '--') continue; // npm passes it through on some versions
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!isValueFlag(name)) {
      return fail(
        arg.startsWith('-') ? `unknown option ${name}` : `unexpected argument "${arg}" (a history file needs --file)`,
      );
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) return fail(`${name} needs a value`);
      i++;
    }
    if (value.trim() === '') return fail(`${name} needs a non-empty value`);

    switch (name) {
      case '--workflow-id':
        args.workflows.push({ workflowId: value });
        break;
      case '--run-id': {
        const last = args.workflows.at(-1);
        if (!last || previous !== '--workflow-id') return fail('--run-id must follow the --workflow-id it belongs to');
        last.runId = value;
        break;
      }
      case '--file':
        args.files.push(value);
        break;
      case '--query':
        args.queries.push(value);
        break;
      case '--bundle':
        if (bundlePath !== undefined) return fail('--bundle may be given once');
        bundlePath = value;
        break;
    }
    previous = name;
  }

  if (args.workflows.length + args.files.length + args.queries.length === 0)
    return fail('nothing to replay: give at least one --workflow-id, --file or --query');
  const fromEnv = env.WORKFLOW_BUNDLE_PATH?.trim();
  if (bundlePath ?? fromEnv) args.bundlePath = bundlePath ?? fromEnv;
  return { kind: 'replay', args };
}
