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
  /** S3 Standard PUT, per request. */
  s3Put: 0.005 / 1000,
  /** Temporal Cloud, per action (first volume tier). */
  temporalAction: 50 / 1_000_000,
};

export interface MeasuredCosts {
  apiCalls: number;
  s3Puts: number;
  actions: { total: number };
  workerCpuSeconds: number;
}

/**
 * What a million API calls cost at the measured rates: Fargate task-hours for the CPU the workers
 * used (at the target utilisation), one S3 PUT per object written, one Temporal Cloud action per
 * counted action. The API itself, data transfer and the S3 storage are left out.
 */
export function costPerMillionCalls(measured: MeasuredCosts) {
  const scale = 1_000_000 / measured.apiCalls;
  const taskHours = measured.workerCpuSeconds / prices.targetCpuUtilisation / 3600;
  const fargate = taskHours * (prices.fargateVcpuHour + prices.taskGb * prices.fargateGbHour) * scale;
  const s3 = measured.s3Puts * prices.s3Put * scale;
  const temporal = measured.actions.total * prices.temporalAction * scale;
  return { fargate, s3, temporal, total: fargate + s3 + temporal };
}
