const EARTH_RADIUS_M = 6_371_008.8;

export interface Point {
  latitude: number;
  longitude: number;
}

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Which side of a fence a fix is on, given its accuracy: `true` inside, `false` outside, `null`
 * when the circle of uncertainty straddles the edge (no decision, so jitter at the edge never flaps).
 */
export function sideOfFence(
  fence: Point & { radiusMeters: number },
  fix: Point & { accuracyMeters: number },
): boolean | null {
  const d = distanceMeters(fence, fix);
  if (d + fix.accuracyMeters <= fence.radiusMeters) return true;
  if (d - fix.accuracyMeters > fence.radiusMeters) return false;
  return null;
}

/**
 * The crossing a new definite side makes from the previous one: ENTER, EXIT, or none. The first
 * definite side only sets the state: a crossing needs both sides seen.
 */
export function crossing(previous: boolean | undefined, now: boolean | null): 'ENTER' | 'EXIT' | null {
  if (now === null || previous === undefined || previous === now) return null;
  return now ? 'ENTER' : 'EXIT';
}
