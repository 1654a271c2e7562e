import type { PaginationConfig } from '../../../config/source.ts';
import { getPath } from '../json-path.ts';
import type { PaginationStrategy } from './strategy.ts';
import { stop } from './strategy.ts';

type StopConditions = Exclude<PaginationConfig, { type: 'none' }>;

/**
 * Adds the stop conditions every style shares (`hasMorePath`, `stopOnEmptyPage`) around a
 * strategy. They are checked first and any one of them stops: a `has_more: false` wins over a
 * cursor that is still present, and an empty page stops even when a total is missing.
 */
export function withStopConditions(strategy: PaginationStrategy, config: StopConditions): PaginationStrategy {
  return {
    apply: strategy.apply,
    ...(strategy.plan === undefined ? {} : { plan: strategy.plan }),
    next(page, token) {
      if (config.hasMorePath !== undefined && getPath(page.body, config.hasMorePath) === false) {
        return stop(`\`${config.hasMorePath}\` is false`);
      }
      if (config.stopOnEmptyPage && page.records.length === 0) return stop('empty page');
      return strategy.next(page, token);
    },
  };
}
