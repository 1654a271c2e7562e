import { type Source, type SourceInput, sourceSchema } from '../../config/source.ts';

/** A source on the sample API's `/cursor` route (cursor in `next_cursor`, records in `data`, key `id`). */
export function cursorSource(
  apiUrl: string,
  overrides: Partial<SourceInput> & Pick<SourceInput, 'id'>,
): Source {
  return sourceSchema.parse({
    request: { baseUrl: apiUrl, path: '/cursor' },
    pagination: { type: 'cursor', tokenPath: 'next_cursor', param: 'cursor' },
    records: { path: 'data', primaryKey: 'id' },
    ...overrides,
  });
}
