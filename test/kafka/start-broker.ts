/**
 * The test broker as a process of its own, for benchmarks: prints `brokers 127.0.0.1:PORT`
 * once it is up and stops it on SIGTERM or SIGINT. `npx tsx test/kafka/start-broker.ts`
 */
import { startKafka } from '../helpers/kafka-broker';

startKafka().then(
  (kafka) => {
    process.stdout.write(`brokers ${kafka.brokers}\n`);
    const stop = () => void kafka.stop().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
