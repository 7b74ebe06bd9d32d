/**
 * Least privilege of the dashboard's ClickHouse user (sql/users.d/dashboard.xml), on the real server:
 * it reads `stocks` and nothing else, and every way to write, change the schema, lift its own limits
 * or reach outside the database through table functions is refused. Error codes and messages are
 * those of the local stack's ClickHouse 18.16: READONLY (164) and DATABASE_ACCESS_DENIED (291).
 * Talks plain HTTP, as any client holding the dashboard's password could. What 18.16 cannot refuse
 * (every user reads `system`, so other users' running queries show in system.processes) is in
 * docs/reliability.md.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@ticker/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_READER } from '../dashboard/test/fixtures';

const config = loadConfig();
const { url, dashboardUser, dashboardPassword } = config.clickhouse;
const DATABASE = 'stocks';
/** A database of this test's own, holding a row the dashboard user must not read. */
const OTHER = `test_privilege_${randomBytes(4).toString('hex')}`;
const SECRET = 'privilege-secret';

interface Answer {
  status: number;
  code: number;
  text: string;
}

/** Runs `sql` as `user`; returns the HTTP status and the ClickHouse error code (0 when none). */
async function query(
  user: { user: string; password: string },
  sql: string,
  settings: Record<string, string> = {},
): Promise<Answer> {
  const target = new URL(url);
  target.searchParams.set('database', DATABASE);
  for (const [k, v] of Object.entries(settings)) target.searchParams.set(k, v);
  const res = await fetch(target, {
    method: 'POST',
    body: sql,
    headers: { authorization: `Basic ${Buffer.from(`${user.user}:${user.password}`).toString('base64')}` },
  });
  const text = await res.text();
  const code = Number(/^Code: (\d+)/.exec(text)?.[1] ?? 0);
  return { status: res.status, code, text };
}

const dashboard = { user: dashboardUser, password: dashboardPassword };
const admin = { user: config.clickhouse.user, password: config.clickhouse.password };

/** Runs `sql` as the dashboard user. */
const asDashboard = (sql: string, settings: Record<string, string> = {}) => query(dashboard, sql, settings);

/** Runs `sql` as the admin and fails on any error (setting up and reading the oracle). */
async function asAdmin(sql: string): Promise<string> {
  const answer = await query(admin, sql);
  if (answer.status !== 200) throw new Error(`admin query failed: ${sql}: ${answer.text}`);
  return answer.text.trim();
}

beforeAll(async () => {
  await asAdmin(`CREATE DATABASE ${OTHER}`);
  await asAdmin(`CREATE TABLE ${OTHER}.secret (a String) ENGINE = MergeTree ORDER BY a`);
  await asAdmin(`INSERT INTO ${OTHER}.secret VALUES ('${SECRET}')`);
});

afterAll(async () => {
  await asAdmin(`DROP DATABASE IF EXISTS ${OTHER}`);
});

/** ClickHouse's READONLY error: the same code for every refusal below. */
const READONLY = 164;
/** ClickHouse 18.16's DATABASE_ACCESS_DENIED: a database outside the user's allow_databases. */
const DATABASE_ACCESS_DENIED = 291;

describe('the dashboard ClickHouse user', () => {
  it(`reads ${DATABASE}`, async () => {
    const answer = await asDashboard('SELECT count() >= 0 FROM ticks');
    expect([answer.status, answer.code, answer.text.trim()]).toEqual([200, 0, '1']);
  });

  it.each([
    `SELECT * FROM ${OTHER}.secret`,
    `SELECT count() FROM ticks WHERE id IN (SELECT a FROM ${OTHER}.secret)`,
    `DESCRIBE TABLE ${OTHER}.secret`,
    `SHOW CREATE TABLE ${OTHER}.secret`,
    `EXISTS TABLE ${OTHER}.secret`,
    'SELECT count() FROM default.nothing',
  ])('cannot read another database: %s', async (sql) => {
    const answer = await asDashboard(sql);
    const database = sql.includes(OTHER) ? OTHER : 'default';
    expect(answer.code, answer.text).toBe(DATABASE_ACCESS_DENIED);
    expect(answer.text).toContain(`Access denied to database ${database} for user ${dashboardUser}`);
    expect(answer.status).toBeGreaterThanOrEqual(400);
  });

  it('cannot make another database its current one', async () => {
    const target = new URL(url);
    target.searchParams.set('database', OTHER);
    const res = await fetch(target, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization: `Basic ${Buffer.from(`${dashboardUser}:${dashboardPassword}`).toString('base64')}` },
    });
    const text = await res.text();
    expect(text).toMatch(
      new RegExp(`^Code: ${DATABASE_ACCESS_DENIED}, .*Access denied to database ${OTHER} for user ${dashboardUser}`),
    );
  });

  it('sees no trace of another database in system tables (the admin sees it)', async () => {
    const traces = (who: (sql: string) => Promise<string>) =>
      Promise.all(
        ['databases WHERE name', 'tables WHERE database', 'columns WHERE database', 'parts WHERE database'].map(
          (where) => who(`SELECT count() FROM system.${where} = '${OTHER}'`),
        ),
      );
    expect(await traces(asAdmin)).toEqual(['1', '1', '1', '1']);
    const seen = async (sql: string) => {
      const answer = await asDashboard(sql);
      expect(answer.code, answer.text).toBe(0);
      return answer.text.trim();
    };
    expect(await traces(seen)).toEqual(['0', '0', '0', '0']);
    expect(await seen('SELECT name FROM system.databases ORDER BY name FORMAT TSV')).toBe(`${DATABASE}\nsystem`);
  });

  it.each([
    ["INSERT INTO ticks (id) VALUES ('x')", 'Cannot insert into table in readonly mode'],
    ['CREATE TABLE t (a UInt8) ENGINE = Memory', 'Cannot create table in readonly mode'],
    ['CREATE DATABASE other', 'Cannot create database in readonly mode'],
    ['DROP TABLE ticks', 'Cannot drop table in readonly mode'],
    ['DROP DATABASE stocks', 'Cannot drop table in readonly mode'],
    ['TRUNCATE TABLE ticks', 'Cannot drop table in readonly mode'],
    ['ALTER TABLE ticks DELETE WHERE 1', 'Cannot execute query in readonly mode'],
    ['OPTIMIZE TABLE ticks', 'Cannot execute query in readonly mode'],
    ['RENAME TABLE ticks TO t2', 'Cannot execute query in readonly mode'],
    ['SYSTEM FLUSH LOGS', 'Cannot execute query in readonly mode'],
    ['SET max_execution_time = 3600', 'Cannot execute SET query in readonly mode'],
    ["INSERT INTO FUNCTION file('x.csv', 'CSV', 'a UInt8') VALUES (1)", 'Cannot insert into table in readonly mode'],
    ["SELECT * FROM file('/etc/passwd', 'CSV', 'a String')", 'Table functions are forbidden in readonly mode'],
    [
      "SELECT * FROM url('http://127.0.0.1:8123/', 'CSV', 'a String')",
      'Table functions are forbidden in readonly mode',
    ],
    [`SELECT * FROM merge('${OTHER}', '.*')`, 'Table functions are forbidden in readonly mode'],
    [`SELECT * FROM remote('127.0.0.1', ${OTHER}, secret)`, 'Table functions are forbidden in readonly mode'],
  ])('cannot run %s', async (sql, message) => {
    const answer = await asDashboard(sql);
    expect(answer.code, answer.text).toBe(READONLY);
    expect(answer.text).toContain(message);
    expect(answer.status).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ['readonly', '0'],
    ['max_execution_time', '3600'],
    ['max_memory_usage', '0'],
  ])('cannot lift its limits per request (%s=%s)', async (setting, value) => {
    const answer = await asDashboard('SELECT 1', { [setting]: value });
    expect(answer.code, answer.text).toBe(READONLY);
    expect(answer.text).toContain(`Cannot override setting (${setting}) in readonly mode`);
  });

  it("cannot kill another user's query", async () => {
    // The admin's long query, killed by the dashboard user: refused; then by the admin itself.
    const queryId = `privilege-victim-${Date.now()}`;
    const admin = new URL(url);
    admin.searchParams.set('query_id', queryId);
    const auth = {
      authorization: `Basic ${Buffer.from(`${config.clickhouse.user}:${config.clickhouse.password}`).toString('base64')}`,
    };
    const victim = fetch(admin, {
      method: 'POST',
      headers: auth,
      body: 'SELECT count() FROM system.numbers WHERE sleepEachRow(0) = 0 SETTINGS max_block_size = 1000',
    }).then((r) => r.text());
    try {
      const deadline = Date.now() + 30_000;
      let running = false;
      while (!running && Date.now() < deadline) {
        const seen = await fetch(new URL(url), {
          method: 'POST',
          headers: auth,
          body: `SELECT count() FROM system.processes WHERE query_id = '${queryId}'`,
        });
        running = (await seen.text()).trim() === '1';
      }
      expect(running).toBe(true);
      const answer = await asDashboard(`KILL QUERY WHERE query_id = '${queryId}' SYNC`);
      expect(answer.code, answer.text).toBe(READONLY);
      expect(answer.text).toContain(
        `Readonly user ${dashboardUser} attempts to kill query created by ${config.clickhouse.user}`,
      );
    } finally {
      await fetch(new URL(url), {
        method: 'POST',
        headers: auth,
        body: `KILL QUERY WHERE query_id = '${queryId}' SYNC`,
      });
      await victim.catch(() => '');
    }
  });
});

describe('the test reader (sql/users.d/dashboard-test.xml)', () => {
  it('reads the databases the suites create, and cannot write them', async () => {
    const read = await query(TEST_READER, `SELECT a FROM ${OTHER}.secret`);
    expect([read.status, read.text.trim()]).toEqual([200, SECRET]);
    const write = await query(TEST_READER, `INSERT INTO ${OTHER}.secret VALUES ('x')`);
    expect(write.code, write.text).toBe(READONLY);
    expect(write.text).toContain('Cannot insert into table in readonly mode');
    expect(await asAdmin(`SELECT count() FROM ${OTHER}.secret`)).toBe('1');
  });
});
