/**
 * What a world user carries from one day to the next: when their last event ended (the
 * next session keeps the gap), how many sessions they have had (the `session` field keeps
 * counting), every song they have played in first-play order (known songs and, through
 * them, known artists in the order they were met) and their rotation: their latest full
 * listens, from which replays and known-artist picks are drawn.
 */
export interface WorldUserState {
  userId: number;
  lastEnd: number;
  sessions: number;
  played: number[];
  rotation: number[];
}

/** listens kept in a user's rotation; older ones fade out of it */
const ROTATION_LISTENS = 1000;

export function freshState(userId: number): WorldUserState {
  return { userId, lastEnd: -1, sessions: 0, played: [], rotation: [] };
}

/** Keeps the latest ROTATION_LISTENS listens, at the end of a day. */
export function trimRotation(state: WorldUserState): void {
  if (state.rotation.length > ROTATION_LISTENS) state.rotation = state.rotation.slice(state.rotation.length - ROTATION_LISTENS);
}
