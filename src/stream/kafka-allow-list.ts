import { InputError } from '../domain/errors';
import { registryBaseUrl } from '../config/registry-url';

/**
 * Which Kafka brokers and schema registries a stream from workflow input may reach:
 * WRAPPED_ETL_KAFKA_ALLOW, HOST:PORT entries (comma or space separated) set on the worker.
 * Unset, none: anyone who can start a workflow could otherwise make the worker connect
 * wherever they like. The CLI's own `stream` takes brokers from its user and is not checked.
 */
export class KafkaAllowList {
  private readonly allowed: Set<string>;

  constructor(allow = '') {
    const entries = allow.split(/[\s,]+/).filter(Boolean);
    for (const e of entries) if (!/^[^\s:/]+:\d{1,5}$/.test(e)) throw new Error(`WRAPPED_ETL_KAFKA_ALLOW: "${e}" is not HOST:PORT`);
    this.allowed = new Set(entries.map((e) => e.toLowerCase()));
  }

  static fromEnv(): KafkaAllowList {
    return new KafkaAllowList(process.env.WRAPPED_ETL_KAFKA_ALLOW ?? '');
  }

  /** The refusal says what was refused, never what is allowed: a starter does not learn the worker's other brokers. */
  private refuse(field: string, what: string): never {
    throw new InputError(
      field,
      `${what} is not allowed by this worker; the worker's operator lists HOST:PORT entries in WRAPPED_ETL_KAFKA_ALLOW`,
    );
  }

  checkBrokers(brokers: readonly string[]): void {
    for (const b of brokers) if (!this.allowed.has(b.toLowerCase())) this.refuse('brokers', `broker ${b}`);
  }

  checkRegistry(url: string): void {
    const u = registryBaseUrl(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    if (!this.allowed.has(`${u.hostname.replace(/^\[|\]$/g, '')}:${port}`.toLowerCase()))
      this.refuse('schemaRegistry', `schema registry ${u.hostname}:${port}`);
  }
}
