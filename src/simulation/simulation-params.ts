import type { AxisStrength } from '../domain/personality';

/** What the simulation needs of a run's validated input (config's GenerationParams has all of it). */
export interface SimulationParams {
  users: number;
  /** null: the listening-volume model (listening-volume.ts) decides each user's sessions */
  sessionsPerUser: number | null;
  /** [min, max] hours drawn uniformly; null: the published heavy-tailed session length */
  sessionHours: [number, number] | null;
  /** first and last simulated day, YYYY-MM-DD (UTC) */
  from: string;
  to: string;
  seed: number;
  travelShare: number;
  countries: Record<string, number> | null;
  personalities: Record<string, number> | null;
  axisStrength: AxisStrength;
  interactions: Record<string, number> | null;
}
