import { metricNames } from '../../contracts/metrics.ts';

/** The log group the agent writes the metrics' embedded metric format (EMF) events to. */
export const prometheusLogGroupName = '/tributary/prometheus';

/** The dimensions every tributary metric is published with: all sources (`service`) and each one. */
export const serviceDimension = { service: 'tributary' } as const;

/**
 * Which Prometheus series become CloudWatch metrics, under which dimensions. The agent publishes
 * counters as the increase since its last scrape (so `Sum` over a period is the increase in it)
 * and gauges as they are; it drops histograms (tributary's `_seconds` latencies), which is why the
 * alarms read counters and the watermark gauge only.
 */
const declarations: { metrics: string[]; dimensions: string[][] }[] = [
  {
    metrics: [metricNames.pagesWritten, metricNames.recordsWritten, metricNames.recordsQuarantined],
    dimensions: [['service'], ['service', 'source']],
  },
  {
    metrics: [metricNames.windows],
    dimensions: [
      ['service', 'outcome'],
      ['service', 'source', 'outcome'],
    ],
  },
  { metrics: [metricNames.apiRequests], dimensions: [['service', 'status_class']] },
  { metrics: [metricNames.throttled], dimensions: [['service']] },
  { metrics: [metricNames.watermarkTimestamp, metricNames.lagSeconds], dimensions: [['service', 'source']] },
];

/** The CloudWatch agent's configuration, passed as environment values (its `env:` config sources). */
export function cloudWatchAgentEnvironment(options: {
  metricsAddress: string;
  namespace: string;
}): Record<string, string> {
  const prometheus = {
    global: { scrape_interval: '60s', scrape_timeout: '10s' },
    scrape_configs: [
      {
        job_name: 'tributary',
        static_configs: [{ targets: [options.metricsAddress], labels: serviceDimension }],
      },
    ],
  };
  const agent = {
    agent: { omit_hostname: true },
    logs: {
      metrics_collected: {
        prometheus: {
          prometheus_config_path: 'env:PROMETHEUS_CONFIG_CONTENT',
          log_group_name: prometheusLogGroupName,
          emf_processor: {
            metric_namespace: options.namespace,
            metric_declaration: declarations.map((declaration) => ({
              source_labels: ['job'],
              label_matcher: '^tributary$',
              dimensions: declaration.dimensions,
              metric_selectors: declaration.metrics.map((name) => `^${name}$`),
            })),
          },
        },
      },
      force_flush_interval: 15,
    },
  };
  // The agent reads YAML for Prometheus; JSON is YAML.
  return {
    CW_CONFIG_CONTENT: JSON.stringify(agent),
    PROMETHEUS_CONFIG_CONTENT: JSON.stringify(prometheus),
  };
}
