/**
 * Splits a SQL file into statements: semicolons end a statement only outside
 * quotes, backquotes and comments. Comments are dropped (ClickHouse 18.16 does
 * not need them and a trailing comment would otherwise become an empty query).
 */

/** The statements of `sql`, without comments, trimmed, empty ones left out. */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const push = () => {
    const statement = current.trim();
    if (statement !== '') statements.push(statement);
    current = '';
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      // Line comment: skip to the end of the line, keep the newline.
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new Error(`unterminated /* comment starting at offset ${i}`);
      current += ' ';
      i = end + 2;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const start = i;
      i += 1;
      for (;;) {
        if (i >= sql.length) throw new Error(`unterminated ${ch} quote starting at offset ${start}`);
        const c = sql[i];
        if (c === '\\') {
          i += 2;
          continue;
        }
        if (c === ch) {
          if (sql[i + 1] === ch) {
            i += 2; // doubled quote inside the literal
            continue;
          }
          i += 1;
          break;
        }
        i += 1;
      }
      current += sql.slice(start, i);
      continue;
    }
    if (ch === ';') {
      push();
      i += 1;
      continue;
    }
    current += ch;
    i += 1;
  }
  push();
  return statements;
}
