import { apicurioJar, ensureKafkaJars, ensurePythonTools, ensureSchemaRegistry, kafkaLibsDir, pythonToolsDir } from '../helpers/test-tools';

/** Provisions the outside readers and the Kafka jars once per lane, before its files run (see test/helpers/test-tools.ts). */
export default function setup(): void {
  const python = ensurePythonTools();
  console.log(python ? `test tools: no Python readers: ${python}` : `test tools: Python readers in ${pythonToolsDir()}`);
  const kafka = ensureKafkaJars();
  console.log(kafka ? `test tools: no Kafka broker: ${kafka}` : `test tools: Kafka jars in ${kafkaLibsDir()}`);
  const registry = ensureSchemaRegistry();
  console.log(registry ? `test tools: no schema registry: ${registry}` : `test tools: schema registry ${apicurioJar()}`);
}
