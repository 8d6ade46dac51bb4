import type { Client, Connection } from '@temporalio/client';
import { ownerLeaseMs, processHolderAlive, type HolderAlive, type RunOwner } from '../../src/pipeline/run-owner';
import { NAMESPACE } from './constants';
import { isReachable } from './dev-server';

/** How long a workflow holder's status may take to come back before the lease decides instead. */
const ASK_TIMEOUT_MS = 10_000;

type Answer = { running: boolean } | { unanswered: string };

/**
 * Whether the holder of a claim a command of this process wants (a CLI `stream`) still runs: a
 * process holder is asked of this host; a workflow holder of the Temporal server at `address`,
 * connected to only once a workflow holds something (no server is started for it). Temporal
 * saying the workflow is closed (terminated, failed, cancelled, completed, timed out) releases
 * the claim at once, RUNNING keeps it; a server that cannot be reached, does not answer in 10 s or
 * knows no such workflow (it may run on another server) leaves it to the holder's lease, and
 * refusal() says which.
 */
export class TemporalHolderCheck {
  private connection?: Promise<Connection>;
  private readonly answers = new Map<string, Answer>();

  constructor(readonly address: string) {}

  readonly holderAlive: HolderAlive = async (owner) => {
    if (owner.workflowId.startsWith('process:')) return processHolderAlive(owner);
    const answer = await this.ask(owner.workflowId);
    this.answers.set(owner.workflowId, answer);
    return 'running' in answer ? answer.running : undefined;
  };

  private async ask(workflowId: string): Promise<Answer> {
    if (!this.connection && !(await isReachable(this.address, 1000)))
      return { unanswered: `no Temporal server answers at ${this.address}` };
    const { Client, WorkflowNotFoundError } = await import('@temporalio/client');
    try {
      this.connection ??= import('./client-connection').then((c) => c.connectionTo(this.address, { connectTimeout: 5000 }));
      const client: Client = new Client({ connection: await this.connection, namespace: NAMESPACE });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${ASK_TIMEOUT_MS / 1000} s`)), ASK_TIMEOUT_MS);
      });
      try {
        const description = await Promise.race([client.workflow.getHandle(workflowId).describe(), late]);
        return { running: description.status.name === 'RUNNING' };
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        return {
          unanswered: `Temporal at ${this.address} (namespace ${NAMESPACE}) knows no workflow ${workflowId}; it may run on another server`,
        };
      return { unanswered: `Temporal at ${this.address} could not be asked: ${(err as Error).message.split('\n')[0]}` };
    }
  }

  /** What to add to a refusal naming `owner`: what Temporal said of it, or why it could not say and when the lease ends. */
  refusal(owner: RunOwner): string {
    const answer = this.answers.get(owner.workflowId);
    if (answer && 'running' in answer && answer.running)
      return `Temporal at ${this.address} says it is running: one stream per world and topic; stop it (\`temporal workflow terminate --workflow-id ${owner.workflowId}\`) or wait until it ends`;
    if (answer && 'unanswered' in answer) {
      const leaseEnd = new Date(Date.parse(owner.renewedAt) + ownerLeaseMs()).toISOString();
      return (
        `whether it still runs could not be asked (${answer.unanswered}): it is taken over at once when the Temporal server it runs on ` +
        `(--address HOST:PORT, or TEMPORAL_ADDRESS) says it has closed, else when its lease ends at ${leaseEnd} (WRAPPED_ETL_OWNER_LEASE_MS after its last activity)`
      );
    }
    return 'one stream per world and topic: wait until it ends, or stop it';
  }

  async close(): Promise<void> {
    const connection = await this.connection?.catch(() => undefined);
    await connection?.close();
  }
}
