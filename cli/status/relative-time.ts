/** `12s ago`, `3m ago`, `5h ago`, `2d ago` from an ISO instant; `-` when absent or unreadable. */
export function ago(iso: string | undefined, now: Date): string {
  if (iso === undefined) return '-';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '-';
  const seconds = Math.floor((now.getTime() - then) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** `41s`, `3m 05s`, `2h 10m`: how long something has run. */
export function elapsed(fromIso: string, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 1000));
  if (Number.isNaN(seconds)) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** `12s`, `3m 05s`: how long until an ISO instant (`0s` once it has passed). */
export function fromNow(iso: string, now: Date): string {
  return elapsed(now.toISOString(), new Date(iso));
}
