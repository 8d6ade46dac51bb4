import type { Logger } from 'pino';
import type { IngestContext } from '../../catalog/sources';
import type { JobRunner } from '../../runtime/thread-job';
import type { ShardFaults } from './shard-faults';

/** What the generation steps run with; the same for every run of a worker (or of the in-process runner). */
export interface GenerationStepDeps {
  /** the folder every run's `out` is confined under (read at each step: it may follow WRAPPED_ETL_DATA_ROOT) */
  dataRoot(): string;
  /** where CPU-heavy jobs run: the worker's ThreadPool, or inlineJobs in process */
  jobs: JobRunner;
  /** which files and addresses catalog sources may read: a worker confines them, a trusted caller passes {} */
  sourceAccess: Pick<IngestContext, 'fileRoots' | 'trusted' | 'addresses'>;
  /** faults a test harness injects into shard attempts */
  faults: ShardFaults;
  log: Logger;
}
