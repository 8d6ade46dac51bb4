/** A step stopped because its context's signal aborted (the run was cancelled). */
export class StepCancelled extends Error {
  override name = 'StepCancelled';
}

/** Another workflow took the run folder over: this run stops, its finished parts stay. */
export class RunTakenOver extends Error {
  override name = 'RunTakenOver';
}

/** A file the run needs is gone, so no attempt can succeed. */
export class MissingRunFile extends Error {
  override name = 'MissingRunFile';
}
