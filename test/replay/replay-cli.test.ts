/**
 * `npm run replay` end to end against the test run's Temporal server: an order run here, replayed
 * by workflow id, by run id, by visibility query, and from the file `temporal workflow show
 * --output json` exports; and the usage errors, each with exit code 2 and a message naming it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startTestStack, TEST_PAYLOAD_KEYS, type TestStack } from '../helpers/app.js';
import { fastOrders, placeOrder } from '../helpers/orders.js';
import { fetchWorkflowHistory, readHistoryFile } from '../../src/replay/histories.js';
import { historyToJson } from '../../src/replay/history-json.js';
import { runReplayCli } from './cli.js';

let stack: TestStack;
let dir: string;
let workflowId: string;
let runId: string;
/** The CLI's environment: the test run's Temporal server. */
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack(fastOrders);
  dir = await mkdtemp(path.join(tmpdir(), 'replay-cli-'));
  env = { TEMPORAL_ADDRESS: inject('temporalAddress'), WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') };

  const placed = await placeOrder(stack, { email: 'replay@example.com', paymentMethod: 'pm_card_visa' });
  workflowId = `order-${placed.orderId}`;
  // Delivered, then the return window: a closed workflow with the whole path in its history.
  await stack.client.workflow.getHandle(workflowId).result();
  runId = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
  // Visibility trails the history by a moment: the query test must find the order.
  for (let i = 0; i < 100; i++) {
    const found = [];
    for await (const run of stack.client.workflow.list({ query: queryForThisStack() })) found.push(run);
    if (found.length > 0) break;
    await sleep(100);
  }
}, 120_000);
afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const queryForThisStack = () =>
  `WorkflowType='orderWorkflow' AND ExecutionStatus='Completed' AND TaskQueue='${stack.config.temporal.taskQueue}'`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const okLine = (source?: string) =>
  new RegExp(`^ok ${workflowId} run ${runId} \\(orderWorkflow\\)${source ? ` from ${escape(source)}` : ''}$`);

describe('npm run replay against a Temporal server', () => {
  it('--workflow-id: fetches the history and replays it against src/workflows bundled now (exit 0)', async () => {
    const { WORKFLOW_BUNDLE_PATH: _bundled, ...withoutBundle } = env;
    const { code, stdout, stderr } = await runReplayCli(['--workflow-id', workflowId], withoutBundle);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(okLine());
    expect(lines.at(-1)).toBe('replayed 1 workflow: 1 ok, 0 nondeterministic, 0 errors');
  });

  it('--workflow-id with --run-id, and several of them with a --file, each on its own line', async () => {
    const file = path.join(dir, 'exported.json');
    await writeFile(file, historyToJson((await fetchWorkflowHistory(stack.client, workflowId)).history));
    const { code, stdout, stderr } = await runReplayCli(
      ['--workflow-id', workflowId, '--run-id', runId, '--file', file, '--workflow-id', workflowId],
      env,
    );
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    // Files first (read before anything is fetched), then the workflows in the order given.
    expect(lines[0]).toMatch(okLine(file));
    expect(lines[1]).toMatch(okLine());
    expect(lines[2]).toMatch(okLine());
    expect(lines[3]).toBe('replayed 3 workflows: 3 ok, 0 nondeterministic, 0 errors');
  });

  it('--query: replays every matching workflow run and reports each (exit 0)', async () => {
    const { code, stdout, stderr } = await runReplayCli(['--query', queryForThisStack()], env);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('ok '))).toEqual([
      expect.stringMatching(okLine(`query ${queryForThisStack()}`)),
    ]);
    expect(lines.at(-1)).toBe('replayed 1 workflow: 1 ok, 0 nondeterministic, 0 errors');
  });

  it('--file: replays what `temporal workflow show --output json` exports, the same history as the server gives', async () => {
    const run = promisify(execFile);
    const { stdout: exported } = await run(
      inject('temporalCliPath'),
      ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', inject('temporalAddress')],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const file = path.join(dir, 'temporal-workflow-show.json');
    await writeFile(file, exported);
    // The recorder writes what the CLI prints: the same JSON, field for field.
    const fetched = await fetchWorkflowHistory(stack.client, workflowId);
    expect(JSON.parse(historyToJson(fetched.history))).toEqual(JSON.parse(exported));
    expect((await readHistoryFile(file)).workflowId).toBe(workflowId);

    const { code, stdout, stderr } = await runReplayCli(['--file', file], env);
    expect(code, stderr).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      expect.stringMatching(okLine(file)),
      'replayed 1 workflow: 1 ok, 0 nondeterministic, 0 errors',
    ]);
  });

  it('decrypts with PAYLOAD_KEYS, and without the key names the error instead of replaying', async () => {
    const corpusFile = fileURLToPath(new URL('./histories/order-happy-path.json', import.meta.url));
    const withKey = await runReplayCli(['--file', corpusFile], env);
    expect(withKey.code, withKey.stderr).toBe(0);
    const without = await runReplayCli(['--file', corpusFile], { ...env, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS });
    expect(without.code).toBe(1);
    expect(without.stdout).toMatch(/^error order-\S+ .*"corpus1", which PAYLOAD_KEYS does not have/m);
  });

  it('exits 2 with a clear message on usage errors, replaying nothing', async () => {
    const notJson = path.join(dir, 'not-json.json');
    await writeFile(notJson, 'this is not JSON');
    const cases: [string[], RegExp[]][] = [
      [['--workflow', workflowId], [/^replay: unknown option --workflow$/m]],
      [[], [/nothing to replay: give at least one --workflow-id, --file or --query/]],
      [
        ['--file', path.join(dir, 'missing.json'), '--file', notJson],
        [/cannot read .*missing\.json: no such file/, /not-json\.json is not JSON/],
      ],
      [
        ['--workflow-id', 'order-00000000-0000-4000-8000-000000000000', '--query', 'WorkflowType='],
        [
          /workflow order-00000000-0000-4000-8000-000000000000 not found in namespace default/,
          /invalid query "WorkflowType="/,
        ],
      ],
      [
        ['--query', `WorkflowId='order-none-such' AND TaskQueue='${stack.config.temporal.taskQueue}'`],
        [/nothing to replay: no workflow matches/],
      ],
      [['--file', notJson, '--bundle', path.join(dir, 'no-bundle.js')], [/no workflow bundle at .*no-bundle\.js/]],
    ];
    const results = await Promise.all(cases.map(([args]) => runReplayCli(args, env)));
    for (const [i, [args, messages]] of cases.entries()) {
      const { code, stdout, stderr } = results[i]!;
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
      expect(stdout).not.toMatch(/^ok /m);
      for (const message of messages) expect(stderr, args.join(' ')).toMatch(message);
    }
  });
});
