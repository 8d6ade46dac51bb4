import * as fs from 'node:fs';
import { RunLayout } from '../../pipeline/run-layout';
import { readContainer, readContainerStream } from '../../formats/avro/read-container';
import { openStore } from '../../runtime/storage/open-store';
import { personalityFromScores } from '../../domain/personality';
import { readCatalogReference, type CatalogReference } from '../profile/catalog-reference';
import { UserBehaviourAccumulator, type AxisScores, type BehaviourEvent } from '../profile/user-behaviour';
import type { InferredPersonality } from './wrapped-types';

/** Reads one user's events in time order, then says which personality the behaviour shows. */
export interface PersonalityReader {
  add(e: BehaviourEvent): void;
  finish(): InferredPersonality | null;
}

export type PersonalityInference = (userId: number) => PersonalityReader;

const references = new Map<string, CatalogReference>();

export async function catalogReference(catalogPath: string): Promise<CatalogReference | undefined> {
  if (!fs.existsSync(catalogPath)) return undefined;
  const key = `${catalogPath}#${fs.statSync(catalogPath).mtimeMs}`;
  let reference = references.get(key);
  if (!reference) references.set(key, (reference = await readCatalogReference(readContainer(catalogPath))));
  return reference;
}

/** The catalog reference of the run at `run` (a folder or s3://bucket/prefix/RUN), read through its store; undefined without a catalog. */
async function runCatalogReference(run: string): Promise<CatalogReference | undefined> {
  const store = openStore(run, 'run');
  const key = new RunLayout(run).catalogKey;
  const st = await store.stat(key);
  if (!st) return undefined;
  const id = `${store.location}/${key}#${st.version}`;
  let reference = references.get(id);
  if (!reference) {
    reference = await readCatalogReference(readContainerStream(store.readStream(key), `${store.location}/${key}`));
    references.set(id, reference);
  }
  return reference;
}

/** The personality and axis scores Wrapped reports for measured behaviour. */
export function inferredFrom(scores: AxisScores): InferredPersonality {
  return { personality: personalityFromScores(scores).name, axes: { FE: scores.FE, TN: scores.TN, LV: scores.LV, CU: scores.CU } };
}

/**
 * The behaviour-based inference of the fidelity profile (src/analytics/profile), axis
 * scores against the run's catalog; Wrapped does not infer on its own. Without the
 * run's catalog (_work/catalog.avro) there is nothing to rank against: no inference.
 */
export async function createPersonalityInference(run: string): Promise<PersonalityInference> {
  const reference = await runCatalogReference(run);
  if (!reference) return () => ({ add: () => {}, finish: () => null });
  return (userId) => {
    const behaviour = new UserBehaviourAccumulator(userId, reference);
    return {
      add: (e) => behaviour.addEvent(e),
      finish: () => {
        return inferredFrom(behaviour.finish().scores);
      },
    };
  };
}
