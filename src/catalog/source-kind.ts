import type { IngestContext } from './source-reading';
import type { SourceTally } from './source-tally';

/** One kind of catalog source, named by the text before the colon of a spec ("csv:songs.csv"). */
export interface SourceKind {
  /** what follows the colon, for help and messages: "PATH", "URL", "N" */
  argument: string;
  /** what an empty argument lacks ("a file path"), or undefined when the argument may be empty */
  needs?: string;
  /** the argument names a file: checked like any path of the input, and confined under the data root on a worker */
  namesFile: boolean;
  /** what is wrong with a non-empty argument, checked with the input before anything is read */
  argumentProblem?(arg: string): string | undefined;
  /** reads the source into the tally; `spec` is the whole spec, for messages */
  read(spec: string, arg: string, tally: SourceTally, ctx: IngestContext): Promise<void>;
}
