import { describe, expect, it } from 'vitest';
import { parseReplayArgs, replayUsage } from '../../src/replay/replay-args.js';

const replay = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseReplayArgs(argv, env);
  if (parsed.kind !== 'replay') throw new Error(`expected replay, got ${JSON.stringify(parsed)}`);
  return parsed.args;
};
const usageError = (argv: string[]) => {
  const parsed = parseReplayArgs(argv);
  if (parsed.kind !== 'usage-error') throw new Error(`expected a usage error, got ${JSON.stringify(parsed)}`);
  return parsed.message;
};

describe('npm run replay: arguments', () => {
  it('takes several workflow ids, files and queries, in the order given', () => {
    expect(
      replay([
        '--workflow-id',
        'order-1',
        '--file',
        'a.json',
        '--workflow-id=order-2',
        '--query',
        "WorkflowType='orderWorkflow' AND ExecutionStatus='Completed'",
        '--file=b.json',
      ]),
    ).toEqual({
      workflows: [{ workflowId: 'order-1' }, { workflowId: 'order-2' }],
      files: ['a.json', 'b.json'],
      queries: ["WorkflowType='orderWorkflow' AND ExecutionStatus='Completed'"],
      verbose: false,
    });
  });

  it('gives --run-id to the --workflow-id right before it', () => {
    expect(replay(['--workflow-id', 'cart-1', '--run-id', 'r1', '--workflow-id', 'cart-2']).workflows).toEqual([
      { workflowId: 'cart-1', runId: 'r1' },
      { workflowId: 'cart-2' },
    ]);
    expect(replay(['--workflow-id=cart-1', '--run-id=r1']).workflows).toEqual([{ workflowId: 'cart-1', runId: 'r1' }]);
  });

  it('refuses a --run-id that does not follow a --workflow-id', () => {
    expect(usageError(['--run-id', 'r1', '--workflow-id', 'x'])).toMatch(/--run-id must follow/);
    expect(usageError(['--workflow-id', 'x', '--file', 'a.json', '--run-id', 'r1'])).toMatch(/--run-id must follow/);
    expect(usageError(['--workflow-id', 'x', '--run-id', 'r1', '--run-id', 'r2'])).toMatch(/--run-id must follow/);
  });

  it('takes the bundle from --bundle, else WORKFLOW_BUNDLE_PATH, else none (bundle src/workflows)', () => {
    const env = { WORKFLOW_BUNDLE_PATH: '/env/bundle.js' };
    expect(replay(['--file', 'a.json', '--bundle', '/flag/bundle.js'], env).bundlePath).toBe('/flag/bundle.js');
    expect(replay(['--file', 'a.json'], env).bundlePath).toBe('/env/bundle.js');
    expect(replay(['--file', 'a.json'], { WORKFLOW_BUNDLE_PATH: '  ' }).bundlePath).toBeUndefined();
    expect(replay(['--file', 'a.json']).bundlePath).toBeUndefined();
    expect(usageError(['--file', 'a.json', '--bundle', 'x.js', '--bundle', 'y.js'])).toMatch(
      /--bundle may be given once/,
    );
  });

  it('is verbose only when asked, and skips a bare --', () => {
    expect(replay(['--', '--file', 'a.json', '--verbose'])).toMatchObject({ files: ['a.json'], verbose: true });
  });

  it('answers --help and -h with the usage, which names every option and the exit codes', () => {
    expect(parseReplayArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseReplayArgs(['--file', 'a.json', '-h'])).toEqual({ kind: 'help' });
    for (const option of [
      '--workflow-id',
      '--run-id',
      '--file',
      '--query',
      '--bundle',
      '--verbose',
      'WORKFLOW_BUNDLE_PATH',
    ])
      expect(replayUsage).toContain(option);
    expect(replayUsage).toMatch(/0 every workflow replayed; 1 .*; 2 usage error/s);
  });

  it('names what is wrong: unknown options, stray arguments, missing or empty values, nothing to replay', () => {
    expect(usageError(['--workflow', 'order-1'])).toBe('unknown option --workflow');
    expect(usageError(['-x'])).toBe('unknown option -x');
    expect(usageError(['--file', 'a.json', '--colour=never'])).toBe('unknown option --colour');
    expect(usageError(['history.json'])).toBe('unexpected argument "history.json" (a history file needs --file)');
    expect(usageError(['--file'])).toBe('--file needs a value');
    expect(usageError(['--workflow-id', '--file', 'a.json'])).toBe('--workflow-id needs a value');
    expect(usageError(['--query='])).toBe('--query needs a non-empty value');
    expect(usageError(['--workflow-id', '  '])).toBe('--workflow-id needs a non-empty value');
    expect(usageError([])).toBe('nothing to replay: give at least one --workflow-id, --file or --query');
    expect(usageError(['--verbose', '--bundle', 'b.js'])).toMatch(/^nothing to replay/);
  });

  it('keeps values that merely contain = or start with a single dash', () => {
    expect(replay(['--query', "WorkflowId='order-1'"]).queries).toEqual(["WorkflowId='order-1'"]);
    expect(replay(["--query=WorkflowId='a=b'"]).queries).toEqual(["WorkflowId='a=b'"]);
    expect(replay(['--file', '-odd-name.json']).files).toEqual(['-odd-name.json']);
  });
});
