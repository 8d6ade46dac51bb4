import type { AxisStrength } from '../domain/personality';

/** What the simulation needs of a run's validated input (config's GenerationParams has all of it). */
export interface SimulationParams {
  users: number;
  sessionsPerUser: number;
  /** [min, max] hours */
  sessionHours: [number, number];
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
