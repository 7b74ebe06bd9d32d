import { describe, expect, it } from 'vitest';
import { addedColumn } from './migrate-lib';

describe('addedColumn (ADD COLUMN made idempotent for ClickHouse 18.16)', () => {
  it('names the table and column of an ALTER TABLE ... ADD COLUMN, after comment lines', () => {
    expect(addedColumn("-- why\nALTER TABLE ticks ADD COLUMN logic_version String DEFAULT ''")).toEqual({
      table: 'ticks',
      column: 'logic_version',
    });
    expect(addedColumn('alter table `alerts` add column `v` String')).toEqual({ table: 'alerts', column: 'v' });
  });

  it('leaves every other statement alone', () => {
    expect(addedColumn('CREATE TABLE IF NOT EXISTS t (a String) ENGINE = Memory')).toBeUndefined();
    expect(addedColumn('ALTER TABLE t DROP COLUMN c')).toBeUndefined();
  });
});
