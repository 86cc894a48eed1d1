/**
 * A real Apache Kafka broker for development and tests: one node in KRaft mode (broker and
 * controller in one JVM), from Apache Kafka's own jars. No npm or Debian package ships a broker and
 * these machines reach no release downloads, but Maven Central serves the jars, so the project
 * fetches them with Maven into .tools/kafka/libs and runs them with the machine's Java (17+).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './ports.js';
import { isAlive, stopLeftover } from './processes.js';
import { toolsDir } from './temporal-cli.js';

const run = promisify(execFile);

/** The Apache Kafka release this project is tested with (`org.apache.kafka:kafka_2.13`). */
export const KAFKA_VERSION = '4.1.1';

const kafkaHome = path.join(toolsDir, 'kafka');
/** Where the broker's jars go; the JVM is started with `-cp '<this>/*'`. */
export const kafkaLibsDir = path.join(kafkaHome, 'libs');
/** Written last by the installer: jars without it are a broken or older download. */
const marker = path.join(kafkaHome, 'installed-version');

const HOW_TO_GET_IT = `Get the Kafka broker's jars in one of these ways, then run the command again:
  - npm run tools:kafka          (this project's installer: Maven fetches Apache Kafka ${KAFKA_VERSION}'s jars into .tools/kafka/libs;
                                  needs Java 17+ and Maven, e.g. apt-get install default-jre-headless maven)
Or set KAFKA_BROKERS to a Kafka of your own (host:port,...), or KAFKA=off to run without Kafka.`;

/** The broker's own dependencies, plus kafka-tools (console consumer, topic command) for operators. */
const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by src/dev/kafka-broker.ts: the jars of a Kafka broker, for mvn dependency:copy-dependencies. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.order-orchestrator</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <!-- Kafka logs through SLF4J 1.7; without a binding the broker says nothing, even when it fails. -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
`;

/** Java's major version, or undefined when `java` does not run. */
async function javaMajor(): Promise<number | undefined> {
  try {
    const { stderr, stdout } = await run('java', ['-version'], { timeout: 30_000 });
    const match = /version "(\d+)(?:\.(\d+))?/.exec(stderr + stdout);
    if (!match) return undefined;
    // Java 8 and older called themselves 1.x.
    return match[1] === '1' ? Number(match[2]) : Number(match[1]);
  } catch {
    return undefined;
  }
}

async function requireJava(): Promise<void> {
  const major = await javaMajor();
  if (major === undefined)
    throw new Error(`The Kafka broker needs Java 17 or newer, and \`java -version\` did not run.\n${HOW_TO_GET_IT}`);
  if (major < 17)
    throw new Error(`The Kafka broker needs Java 17 or newer; \`java\` is Java ${major}.\n${HOW_TO_GET_IT}`);
}

/** The project's jars, when a complete download of this version is there. */
export function findKafka(): string | undefined {
  const installed = existsSync(marker) && readFileSync(marker, 'utf8').trim() === KAFKA_VERSION;
  return installed && existsSync(path.join(kafkaLibsDir, `kafka_2.13-${KAFKA_VERSION}.jar`)) ? kafkaLibsDir : undefined;
}

/** Fetches the broker's jars from Maven Central into .tools/kafka/libs (about 90 jars, 55 MB; 10-20 s). */
export async function installKafka(log: (line: string) => void): Promise<string> {
  await requireJava();
  try {
    await run('mvn', ['-v'], { timeout: 60_000 });
  } catch {
    throw new Error(`Could not install the Kafka broker: Maven (\`mvn\`) is not installed.\n${HOW_TO_GET_IT}`);
  }
  log(`Fetching Apache Kafka ${KAFKA_VERSION}'s broker jars with Maven into ${kafkaLibsDir} ...`);
  const build = path.join(kafkaHome, 'build');
  const partial = path.join(kafkaHome, 'libs.partial');
  await rm(partial, { recursive: true, force: true });
  await mkdir(build, { recursive: true });
  await writeFile(path.join(build, 'pom.xml'), POM);
  try {
    await run(
      'mvn',
      [
        '-q',
        '-B',
        'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${partial}`,
      ],
      { cwd: build, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    const detail = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `Could not install the Kafka broker: mvn dependency:copy-dependencies failed:\n${detail || (err as Error).message}\n${HOW_TO_GET_IT}`,
    );
  }
  // Swapped in whole, and the marker written last: an interrupted download is never taken for a broker.
  await rm(marker, { force: true });
  await rm(kafkaLibsDir, { recursive: true, force: true });
  await rename(partial, kafkaLibsDir);
  await writeFile(marker, `${KAFKA_VERSION}\n`);
  return kafkaLibsDir;
}

/** The broker's jars (installing them when missing), after checking that Java 17+ runs them. */
export async function ensureKafka(log: (line: string) => void): Promise<string> {
  const found = findKafka();
  if (!found) return installKafka(log);
  await requireJava();
  return found;
}

export interface KafkaBrokerOptions {
  /** The broker's directory: its config, its data (kept across starts) and its log `kafka.log`. */
  dir: string;
  /** Client port on 127.0.0.1; a free one when unset. */
  port?: number;
  libsDir?: string;
  timeoutMs?: number;
}

export interface RunningKafka {
  /** Bootstrap address for clients (`KAFKA_BROKERS`), host:port. */
  brokers: string;
  stop(): Promise<void>;
  /** Settles when the broker exits, however it does (stopped, killed, crashed), saying how. */
  exited: Promise<string>;
}

function serverProperties(dir: string, port: number, controllerPort: number): string {
  return `# Written by src/dev/kafka-broker.ts at each start: a one-node KRaft broker for development and tests.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}
log.dirs=${path.join(dir, 'data')}
# Topics are made on purpose (the relay creates its own), never by a typo in a client.
auto.create.topics.enable=false
# One node: every internal topic has one replica, and few partitions so it is made fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=3
# A consumer group forms at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
`;
}

const LOG4J = `# Written by src/dev/kafka-broker.ts: warnings, plus the line saying the server started.
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
`;

/** A cluster id as Kafka makes them (16 random bytes, URL-safe base64), without a JVM start for it. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka's own generator skips ids that start with '-' (they read as options on a command line).
    if (!id.startsWith('-')) return id;
  }
}

/** Waits until the broker answers a kafkajs admin client, or throws after `timeoutMs`. */
async function waitForKafka(brokers: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const kafka = new Kafka({
    clientId: 'kafka-broker-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && alive()) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch (err) {
      lastError = err;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(150);
  }
  throw new Error(
    `Kafka at ${brokers} did not become reachable: ${(lastError as Error | undefined)?.message ?? 'the broker exited'}`,
  );
}

/**
 * Kills the broker if this process dies without stopping it (kill -9, a crash): a `sh` reading a
 * pipe from us sees end-of-file when we are gone, and stops the JVM (TERM, then KILL after 10 s).
 */
function watchdog(javaPid: number): ChildProcess {
  const script = `read _; kill -TERM ${javaPid} 2>/dev/null; i=0
while kill -0 ${javaPid} 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i+1)); done
kill -KILL ${javaPid} 2>/dev/null`;
  const dog = spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  return dog;
}

/**
 * Starts a one-node KRaft broker (broker and controller in one JVM, `-Xmx512m`) on 127.0.0.1,
 * formatting its storage on first use. Data persists in `dir/data`, so a restart keeps the topics.
 * Up in about 3 s here; stop() shuts it down cleanly (SIGTERM, then SIGKILL after 15 s).
 */
export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<RunningKafka> {
  const dir = path.resolve(options.dir);
  const libs = options.libsDir ?? kafkaLibsDir;
  const timeoutMs = options.timeoutMs ?? 60_000;
  await mkdir(path.join(dir, 'data'), { recursive: true });
  const propsFile = path.join(dir, 'server.properties');
  const logFile = path.join(dir, 'kafka.log');
  const pidFile = path.join(dir, 'kafka.pid');

  // A broker left by an earlier run that died with its watchdog would hold the port and the data.
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid > 0) await stopLeftover(pid, propsFile);
    await rm(pidFile, { force: true });
  }

  const port = options.port ?? (await freePort());
  // The controller listener is the node's own business: any free port, each start (one voter).
  const controllerPort = await freePort();
  await writeFile(propsFile, serverProperties(dir, port, controllerPort));
  await writeFile(path.join(dir, 'log4j2.properties'), LOG4J);
  const jvm = ['-Xmx512m', `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`, '-cp', `${libs}/*`];

  if (!existsSync(path.join(dir, 'data', 'meta.properties'))) {
    const format = ['kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', propsFile, '--standalone'];
    try {
      await run('java', [...jvm, ...format, '--ignore-formatted'], { timeout: 60_000 });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      throw new Error(`Could not format Kafka's storage in ${dir}/data: ${`${stdout ?? ''}${stderr ?? ''}`.trim()}`);
    }
  }

  const log = createWriteStream(logFile, { flags: 'a' });
  // C1 only: the JIT's quick tier, so the broker is up in seconds; a dev broker needs no peak speed.
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...jvm, 'kafka.Kafka', propsFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  const gone = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      exited = true;
      resolve(`could not be started: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      exited = true;
      resolve(signal ?? `code ${code}`);
    });
  });
  const dog = child.pid !== undefined ? watchdog(child.pid) : undefined;
  if (child.pid !== undefined) await writeFile(pidFile, String(child.pid));

  const stop = async () => {
    if (!exited && child.pid !== undefined && isAlive(child.pid)) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    dog?.kill('SIGKILL');
    log.end();
    await rm(pidFile, { force: true });
  };

  const brokers = `127.0.0.1:${port}`;
  try {
    await waitForKafka(brokers, timeoutMs, () => !exited);
  } catch (err) {
    await stop();
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
    throw new Error(`${(err as Error).message}\nKafka broker log (${logFile}):\n${tail}`);
  }
  return { brokers, stop, exited: gone };
}
