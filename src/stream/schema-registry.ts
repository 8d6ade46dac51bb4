import axios from 'axios';
import { registrySubjectsUrl } from '../config/registry-url';

/**
 * Registers `writerSchema` (the schema's full JSON: docs, defaults, logical types) as the value schema of `topic` with a Confluent-compatible schema registry
 * (subject TOPIC-value, TopicNameStrategy) and returns its schema id. Registering a
 * schema the subject already has returns the existing id, so this is safe on every start.
 */
export async function registerValueSchema(registryUrl: string, topic: string, writerSchema: string): Promise<number> {
  const url = `${registrySubjectsUrl(registryUrl)}/${encodeURIComponent(`${topic}-value`)}/versions`;
  try {
    const res = await axios.post<{ id?: unknown }>(
      url,
      { schemaType: 'AVRO', schema: writerSchema },
      {
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        timeout: 15_000,
        // a redirect could lead anywhere, past the allow-list a workflow's registry URL is checked against
        maxRedirects: 0,
      },
    );
    // the registry's own words are not passed on: whoever started the stream would read them
    if (typeof res.data?.id !== 'number') throw new Error('its answer holds no numeric schema id');
    return res.data.id;
  } catch (err) {
    const e = err as Error & { response?: { status: number }; code?: string };
    const detail = e.response ? `HTTP ${e.response.status}` : (e.code ?? e.message);
    // eslint-disable-next-line preserve-caught-error -- the cause carries the registry's answer, which starters must not read
    throw new Error(`schema registry ${registryUrl}: registering subject ${topic}-value failed: ${detail}`);
  }
}
