import type { Finding } from '../../core/types';

/** A finding ready for output: path relative to the current folder, 1-based positions. */
export interface OutputFinding {
  finding: Finding;
  /** Path as printed (relative to cwd, POSIX). */
  path: string;
}

export function fixAvailability(f: Finding): { available: boolean; safety?: 'safe' | 'unsafe'; title?: string } {
  const safe = f.fixes.find((x) => x.safety === 'safe');
  const any = safe ?? f.fixes[0];
  return any ? { available: true, safety: any.safety, title: any.title } : { available: false };
}
