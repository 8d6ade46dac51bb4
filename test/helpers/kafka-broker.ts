import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../bench/free-port';
import { spawnServer } from './server-process';
import { kafkaLibsDir } from './test-tools';
import { makeTmpDir } from './tmp-dir';

/** test/kafka: the broker's pom.xml, log4j2 config and (after mvn, gitignored) its jars */
const KAFKA_DIR = path.resolve(__dirname, '..', 'kafka');
const READY_LINE = 'Kafka Server started';
const START_TIMEOUT_MS = 90_000;

export interface KafkaBroker {
  /** "127.0.0.1:PORT", for --brokers */
  brokers: string;
  dataDir: string;
  stop: () => Promise<void>;
}

function brokerProperties(port: number, controllerPort: number, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // retention runs every second, not 30 s after the start and then every 5 minutes: a topic that would lose
    // messages to it (e.g. timestamps older than its retention) loses them in every test run, not only in slow ones
    'log.initial.task.delay.ms=0',
    'log.retention.check.interval.ms=1000',
  ].join('\n');
}

function java(args: string[]): string {
  const r = spawnSync('java', ['-cp', `${kafkaLibsDir()}/*`, ...args], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run java (a JRE 17+ is needed for the test broker): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`java ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

/**
 * A real single-node Kafka (KRaft, Apache Kafka 4.4.0 from test/kafka/libs) on free loopback
 * ports with a fresh data folder; resolves when its log says it started. stop() ends the
 * broker's whole process group and removes the folder.
 */
export async function startKafka(): Promise<KafkaBroker> {
  if (!fs.existsSync(kafkaLibsDir()) || !fs.readdirSync(kafkaLibsDir()).some((f) => f.startsWith('kafka_2.13'))) {
    throw new Error(
      `the test Kafka broker's jars are missing from ${kafkaLibsDir()}; run: ` +
        'mvn -q -B -f test/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime (.ci/run does)',
    );
  }
  const tmp = makeTmpDir('wrapped-etl-kafka-');
  const [port, controllerPort] = [await freePort(), await freePort()];
  const config = path.join(tmp.dir, 'server.properties');
  fs.writeFileSync(config, brokerProperties(port, controllerPort, path.join(tmp.dir, 'data')));
  const clusterId = java(['kafka.tools.StorageTool', 'random-uuid']);
  java(['kafka.tools.StorageTool', 'format', '-c', config, '-t', clusterId]);

  const logFile = path.join(tmp.dir, 'broker.log');
  const { child, stop: stopProcess } = spawnServer(
    'java',
    [
      '-Xms128m',
      '-Xmx512m',
      `-Dlog4j2.configurationFile=${path.join(KAFKA_DIR, 'log4j2.properties')}`,
      '-cp',
      `${kafkaLibsDir()}/*`,
      'kafka.Kafka',
      config,
    ],
    logFile,
  );
  const stop = async (): Promise<void> => {
    await stopProcess(15_000);
    tmp.cleanup();
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const text = fs.readFileSync(logFile, 'utf8');
    if (text.includes(READY_LINE)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop().catch(() => {});
      throw new Error(
        `the test Kafka broker did not start (${child.exitCode !== null ? `exit ${child.exitCode}` : 'timeout'}); its log:\n${text.slice(-4000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { brokers: `127.0.0.1:${port}`, dataDir: tmp.dir, stop };
}
