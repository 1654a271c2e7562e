import type { PaginationConfig, PaginationType } from '../../../config/source.ts';
import { withAbsentPathCheck } from './absent-paths.ts';
import { cursorPagination } from './cursor.ts';
import { linkHeaderPagination } from './link-header.ts';
import { nextUrlPagination } from './next-url.ts';
import { noPagination } from './none.ts';
import { offsetPagination } from './offset.ts';
import { pageNumberPagination } from './page-number.ts';
import { withStopConditions } from './stop-conditions.ts';
import type { PaginationStrategy } from './strategy.ts';

export type {
  NextPage,
  OutgoingRequest,
  PagePlan,
  PageToken,
  PaginationStrategy,
  ReceivedPage,
} from './strategy.ts';
export { PaginationError } from './strategy.ts';

type StrategyFactories = {
  [K in PaginationType]: (config: Extract<PaginationConfig, { type: K }>) => PaginationStrategy;
};

/** Every pagination type has a factory here; a new type in the schema fails to compile until it does. */
const factories: StrategyFactories = {
  none: noPagination,
  cursor: cursorPagination,
  'next-url': nextUrlPagination,
  'link-header': linkHeaderPagination,
  offset: offsetPagination,
  'page-number': pageNumberPagination,
};

/**
 * The strategy for a source's pagination config, with the shared stop conditions applied, and a
 * declared path missing where the API cannot mean "the end" failing the page (absent-paths.ts).
 */
export function paginationStrategy(config: PaginationConfig): PaginationStrategy {
  if (config.type === 'none') return factories.none(config);
  assertCanStop(config);
  // TypeScript cannot correlate `factories[config.type]` with `config`; the mapped type above is the proof.
  const factory = factories[config.type] as (config: PaginationConfig) => PaginationStrategy;
  return withAbsentPathCheck(withStopConditions(factory(config), config), config);
}

/** Fails fast on a range paginator that could never stop, rather than at page 5,000. */
function assertCanStop(config: Exclude<PaginationConfig, { type: 'none' }>): void {
  if (config.stopOnEmptyPage || config.hasMorePath !== undefined) return;
  if (config.type === 'offset' && (config.stopOnShortPage || config.totalPath !== undefined)) return;
  if (config.type === 'page-number' && config.totalPagesPath !== undefined) return;
  if (config.type === 'offset' || config.type === 'page-number') {
    throw new Error(
      `pagination '${config.type}' has no stop condition: set stopOnEmptyPage: true, hasMorePath, or ${config.type === 'offset' ? 'totalPath or stopOnShortPage: true' : 'totalPagesPath'}`,
    );
  }
}
