import { readFile } from 'node:fs/promises';
import type { HealthRecord } from './health-file.ts';

/**
 * The container health check (the image's HEALTHCHECK, the ECS task definition's): exits 0 when
 * the worker wrote its health file (TRIBUTARY_HEALTH_FILE) within TRIBUTARY_HEALTH_MAX_AGE_SECONDS
 * (default 60), 1 otherwise with the reason on stderr.
 */
export async function checkHealth(env: NodeJS.ProcessEnv, now = Date.now()): Promise<string | undefined> {
  const path = env.TRIBUTARY_HEALTH_FILE;
  if (!path) return 'TRIBUTARY_HEALTH_FILE is not set: the worker writes no health file';
  const maxAgeSeconds = Number(env.TRIBUTARY_HEALTH_MAX_AGE_SECONDS ?? 60);
  let record: HealthRecord;
  try {
    record = JSON.parse(await readFile(path, 'utf8')) as HealthRecord;
  } catch {
    return `no health file at ${path}: the worker is starting, draining, not polling or cannot reach Temporal`;
  }
  const ageSeconds = (now - Date.parse(record.healthyAt)) / 1000;
  if (!(ageSeconds <= maxAgeSeconds))
    return `the worker last proved itself connected and polling ${Math.round(ageSeconds)} s ago (more than ${maxAgeSeconds} s)`;
  return undefined;
}

if (import.meta.main) {
  const problem = await checkHealth(process.env);
  if (problem !== undefined) {
    process.stderr.write(`unhealthy: ${problem}\n`);
    process.exit(1);
  }
}
