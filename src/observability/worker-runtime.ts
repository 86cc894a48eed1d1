import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { createTemporalLogger } from './temporal-logger.js';

export interface WorkerRuntimeOptions {
  log: PinoLogger;
  /** host:port for the SDK's Prometheus exporter (`/metrics`); undefined: no metrics endpoint. */
  metricsAddress: string | undefined;
  shutdownSignals: NodeJS.Signals[];
}

/**
 * Installs the Temporal Runtime of the worker process: SDK, workflow and activity logs through pino
 * (Core's own lines forwarded too, so stdout stays JSON lines), and the SDK's runtime metrics on a
 * Prometheus endpoint. Returns the metrics URL, or undefined when there is none.
 */
export function installWorkerRuntime({
  log,
  metricsAddress,
  shutdownSignals,
}: WorkerRuntimeOptions): string | undefined {
  const base: RuntimeOptions = {
    logger: createTemporalLogger(log),
    shutdownSignals,
  };
  const logging = { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } as const;
  if (metricsAddress) {
    try {
      Runtime.install({
        ...base,
        // The SDK's defaults (temporal_ prefix, durations in ms): the names Temporal's SDK dashboards use.
        telemetryOptions: { logging, metrics: { prometheus: { bindAddress: metricsAddress } } },
      });
      return `http://${metricsAddress}/metrics`;
    } catch (err) {
      // A second worker on the same machine finds the port taken: it runs on, without metrics.
      log.warn({ metricsAddress, err }, 'worker metrics endpoint not started; the worker runs without it');
    }
  }
  Runtime.install({ ...base, telemetryOptions: { logging } });
  return undefined;
}
