/**
 * List prices (USD, us-east-1, checked 2026-12) the fleet bench turns its counts into. Replace
 * them with your own contract's: Temporal Cloud's price per action falls with volume and plan.
 */
export const prices = {
  /** Fargate Linux/x86, per vCPU-hour and per GB-hour. */
  fargateVcpuHour: 0.04048,
  fargateGbHour: 0.004445,
  /** A worker task of 1 vCPU with 2 GB, kept at this CPU utilisation by autoscaling. */
  taskGb: 2,
  targetCpuUtilisation: 0.7,
  /** S3 Standard PUT (and LIST), GET (and HEAD), per request. */
  s3Put: 0.005 / 1000,
  s3List: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  /** Temporal Cloud, per action (first volume tier). */
  temporalAction: 50 / 1_000_000,
};

export interface MeasuredCosts {
  apiCalls: number;
  s3: { puts: number; gets: number; lists: number };
  actions: { total: number };
  workerCpuSeconds: number;
}

/**
 * What a million API calls cost at the measured rates: Fargate task-hours for the CPU the workers
 * used (at the target utilisation), the S3 requests the sink counted, one Temporal Cloud action per
 * counted action. The API itself, data transfer and the S3 storage are left out.
 */
export function costPerMillionCalls(measured: MeasuredCosts) {
  const scale = 1_000_000 / measured.apiCalls;
  const taskHours = measured.workerCpuSeconds / prices.targetCpuUtilisation / 3600;
  const fargate = taskHours * (prices.fargateVcpuHour + prices.taskGb * prices.fargateGbHour) * scale;
  const { puts, gets, lists } = measured.s3;
  const s3 = (puts * prices.s3Put + gets * prices.s3Get + lists * prices.s3List) * scale;
  const temporal = measured.actions.total * prices.temporalAction * scale;
  return { fargate, s3, temporal, total: fargate + s3 + temporal };
}
