/**
 * Versioning with patches: the order workflow's `notify-picking` step (a new activity, added after
 * release) is behind `patched()`. A history recorded before the change and one recorded after both
 * replay against today's code; the same step added without the patch breaks the old history.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readHistoryFile, type HistoryToReplay } from '../../src/replay/histories.js';
import { replayHistories, type ReplayReport } from '../../src/replay/replayer.js';
import { PATCH_NOTIFY_PICKING } from '../../src/workflows/patches.js';

// A nondeterministic replay is expected below: the SDK's own warnings about it are noise.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR' } } } });

const dir = fileURLToPath(new URL('./histories/versioning/notify-picking', import.meta.url));
const workflowsPath = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
const shim = fileURLToPath(new URL('./fixtures/unpatched-workflow-sdk.ts', import.meta.url));

let before: HistoryToReplay;
let after: HistoryToReplay;
beforeAll(async () => {
  [before, after] = await Promise.all([
    readHistoryFile(path.join(dir, 'before.json')),
    readHistoryFile(path.join(dir, 'after.json')),
  ]);
});

const decode = (data: Uint8Array | null | undefined) =>
  data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
const patchesIn = (h: HistoryToReplay) =>
  (h.history.events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => decode(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data).id);
const activitySummaries = (h: HistoryToReplay) =>
  (h.history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => decode(e.userMetadata?.summary?.data));

async function replay(histories: HistoryToReplay[], bundle: { codePath: string } | { code: string }) {
  const reports: ReplayReport[] = [];
  for await (const report of replayHistories(histories, bundle)) reports.push(report);
  return reports;
}

describe(`the ${PATCH_NOTIFY_PICKING} patch`, () => {
  it('the history from before has no marker and no such step; the one from after has both', () => {
    expect(patchesIn(before)).toEqual([]);
    expect(activitySummaries(before)).not.toContain('Tell the customer: order_picking');
    expect(patchesIn(after)).toEqual([PATCH_NOTIFY_PICKING]);
    expect(activitySummaries(after)).toContain('Tell the customer: order_picking');
  });

  it('both replay against today’s code', async () => {
    const reports = await replay([before, after], { codePath: inject('workflowBundlePath') });
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), the same step breaks the orders already under way', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath,
      webpackConfigHook: (config) => ({
        ...config,
        resolve: { ...config.resolve, alias: { ...config.resolve?.alias, '@temporalio/workflow$': shim } },
      }),
      logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
    });
    const [old, current] = await replay([before, after], { code });
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: before.workflowId });
    expect(old!.reason).toMatch(/Nondeterminism/);
    // Nor can the patch call simply be deleted later: histories recorded with it hold its marker.
    // That is what deprecatePatch() is for, once no order from before the change is still open.
    expect(current).toMatchObject({ status: 'nondeterministic', workflowId: after.workflowId });
  }, 120_000);
});
