import { describe, expect, it } from 'vitest';
import { curatedDatabase, curatedTable } from '../../contracts/curated-tables.ts';

describe('curated tables in the Glue Data Catalog', () => {
  it('names a dataset database after its location, as the catalog takes names', () => {
    expect(curatedDatabase('s3://tributary-local/curated/tickets')).toBe('curated_tickets');
    expect(curatedDatabase('s3://bucket/curated-1a2b/Local-Flaky/')).toBe('curated_1a2b_local_flaky');
    expect(curatedDatabase('s3://bucket/zones/curated/orders')).toBe('zones_curated_orders');
  });

  it("names a source's root table after its id", () => {
    expect(curatedTable('ticket-comments')).toBe('ticket_comments');
  });

  it('refuses a location that is not an s3:// URL with a prefix', () => {
    expect(() => curatedDatabase('s3://bucket')).toThrow('is not an s3://bucket/prefix URL');
    expect(() => curatedDatabase('/tmp/curated/tickets')).toThrow('is not an s3://bucket/prefix URL');
  });
});
