/**
 * What clients (the CLI, schedules, tests) and the workflows agree on: workflow names with
 * their signatures, queries, memo and progress types. Clients import this module, never
 * the workflow implementations, and never spell a workflow or query name themselves.
 */
import { defineQuery } from '@temporalio/workflow';
import type { RunRef } from '../src/pipeline/steps/step-refs';
import type { WrappedPlan } from '../activities/analytics-activities';
import type { WrittenWrapped } from '../src/analytics/wrapped/write-wrapped';
import type { GenerationInput } from '../src/config/generation-input';
import type { WrappedInput } from '../src/config/wrapped-input';
import type { WorldAdvanceInput, WorldInput } from '../src/config/world-input';
import type { WorldCreated, WorldPlan } from '../activities/world-activities';
import type { StreamPlan } from '../activities/stream-activities';
import type { StreamInput } from '../src/config/stream-input';

export type Phase = 'resolving' | 'catalog' | 'users' | 'shards' | 'manifest' | 'done';

export interface GenerationProgress {
  phase: Phase;
  shardsDone: number;
  shardsTotal: number;
  records: number;
  bytes: number;
}

export interface GenerationResult {
  workflowId: string;
  runId: string;
  outDir: string;
  manifest: string;
  totalRecords: number;
}

/** What a continued-as-new run needs to carry on: never the list of finished shards, only where to go on from. */
export interface Continuation {
  run: RunRef;
  catalogSha256: string;
  /** every shard below this one is done */
  nextShard: number;
  progress: GenerationProgress;
}

/** The readable summary the Web UI shows (memo), also what `wrapped-etl status` falls back on. */
export interface GenerationMemo {
  summary?: string;
  runId?: string;
  outDir?: string;
  progress?: GenerationProgress;
}

export interface WrappedProgress {
  phase: 'planning' | 'parts' | 'writing' | 'done';
  partsDone: number;
  partsTotal: number;
  records: number;
}

/** What a continued-as-new run needs to carry on: the plan (counts and paths) and where to go on from. */
export interface WrappedContinuation {
  plan: WrappedPlan;
  /** every part below this index is analysed */
  nextPart: number;
  progress: WrappedProgress;
}

export interface WorldProgress {
  phase: 'planning' | 'shards' | 'manifest' | 'done';
  /** the day being written (null before planning and when nothing is to write) */
  day: string | null;
  daysDone: number;
  daysTotal: number;
  shardsDone: number;
  shardsTotal: number;
  /** shards of the day being written kept from an earlier attempt */
  shardsReused: number;
  /** records of the days done */
  records: number;
  /** the last day completed, with its records and how many of its shards were kept from an earlier attempt */
  lastDay?: { day: string; records: number; shardsReused: number };
}

/** What a continued-as-new advance carries: the plan (counts and paths), the day it is on and where in it. */
export interface WorldContinuation {
  plan: WorldPlan;
  /** index of the day being written, from plan.first */
  dayIndex: number;
  /** every shard of that day below this one is done */
  nextShard: number;
  progress: WorldProgress;
}

export interface WorldAdvanceResult {
  world: string;
  worldDir: string;
  /** the first and last day written by this advance (null when the world was there already) */
  first: string | null;
  last: string | null;
  days: number;
  records: number;
}

export interface StreamWorkflowProgress {
  /** days published by this stream so far */
  days: number;
  sent: number;
  skipped: number;
  lastDay: string | null;
  /** true while a following stream waits for the world's next day */
  waiting: boolean;
}

/** What a continued-as-new stream carries: the checked plan, `from` until its first day is out, and its totals. */
export interface StreamContinuation {
  plan: StreamPlan;
  from: string | null;
  progress: StreamWorkflowProgress;
}

/** What checkWorldAdvance found on the worker: the world, its folder there and the day its next advance writes. */
export interface WorldAdvanceCheck {
  world: string;
  worldDir: string;
  nextDay: string;
}

export type GenerateDatasetWorkflow = (input?: GenerationInput, continuation?: Continuation) => Promise<GenerationResult>;
export type AnalyzeDatasetWorkflow = (input: WrappedInput, continuation?: WrappedContinuation) => Promise<WrittenWrapped>;
export type AdvanceWorldWorkflow = (input: WorldAdvanceInput, continuation?: WorldContinuation) => Promise<WorldAdvanceResult>;
export type CreateWorldWorkflow = (input: WorldInput) => Promise<WorldCreated>;
export type CheckWorldAdvanceWorkflow = (input: WorldAdvanceInput) => Promise<WorldAdvanceCheck>;
export type StreamWorldWorkflow = (input: StreamInput, continuation?: StreamContinuation) => Promise<StreamWorkflowProgress>;

/** Registered workflow names; use with the signature type: client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, ...). */
export const GENERATE_DATASET = 'generateDataset';
export const ANALYZE_DATASET = 'analyzeDataset';
export const ADVANCE_WORLD = 'advanceWorld';
export const CREATE_WORLD = 'createWorld';
export const STREAM_WORLD = 'streamWorld';
export const CHECK_WORLD_ADVANCE = 'checkWorldAdvance';

export const progressQuery = defineQuery<GenerationProgress>('progress');
export const wrappedProgressQuery = defineQuery<WrappedProgress>('progress');
export const worldProgressQuery = defineQuery<WorldProgress>('progress');
export const streamProgressQuery = defineQuery<StreamWorkflowProgress>('progress');
