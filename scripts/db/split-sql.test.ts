import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../stack/layout';
import { splitSqlStatements } from './split-sql';

describe('splitSqlStatements', () => {
  it('splits on semicolons and drops empty statements', () => {
    expect(splitSqlStatements('SELECT 1;\n\n;SELECT 2;  \n')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('keeps a last statement without a semicolon', () => {
    expect(splitSqlStatements('SELECT 1; SELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('ignores semicolons in line and block comments and drops the comments', () => {
    expect(splitSqlStatements('-- a; b\nSELECT 1 /* not; here */ + 2; -- trailing; comment')).toEqual([
      'SELECT 1   + 2',
    ]);
  });

  it('ignores semicolons and comment markers inside quotes, backquotes and escaped quotes', () => {
    const sql = "SELECT 'a;b', 'it''s;', 'x\\';y', \"c;d\", `e;--f` FROM t; SELECT '/* no */'";
    expect(splitSqlStatements(sql)).toEqual([
      "SELECT 'a;b', 'it''s;', 'x\\';y', \"c;d\", `e;--f` FROM t",
      "SELECT '/* no */'",
    ]);
  });

  it('rejects an unterminated quote or comment with its offset', () => {
    expect(() => splitSqlStatements("SELECT 'oops")).toThrow("unterminated ' quote starting at offset 7");
    expect(() => splitSqlStatements('SELECT 1 /* oops')).toThrow('unterminated /* comment starting at offset 9');
  });

  it('finds the CREATE TABLE statements of sql/001_tables.sql', () => {
    const statements = splitSqlStatements(readFileSync(join(repoRoot, 'sql', '001_tables.sql'), 'utf8'));
    expect(statements.map((s) => /CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1])).toEqual(
      expect.arrayContaining(['ticks', 'candles_1m', 'rejected', 'alerts']),
    );
  });
});
