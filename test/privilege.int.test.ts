/**
 * Least privilege of the dashboard's ClickHouse user (sql/users.d/dashboard.xml), on the real server:
 * it reads `stocks`, and every way to write, change the schema, lift its own limits or reach outside
 * the database through table functions is refused with ClickHouse's READONLY error (code 164; the
 * messages are those of the local stack's 18.16). Talks plain HTTP, as any client holding the
 * dashboard's password could. Reading other databases is not refused: see docs/reliability.md.
 */
import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';

const config = loadConfig();
const { url, dashboardUser, dashboardPassword } = config.clickhouse;
const DATABASE = 'stocks';

/** Runs `sql` as the dashboard user; returns the HTTP status and the ClickHouse error code (0 when none). */
async function asDashboard(
  sql: string,
  settings: Record<string, string> = {},
): Promise<{ status: number; code: number; text: string }> {
  const target = new URL(url);
  target.searchParams.set('database', DATABASE);
  for (const [k, v] of Object.entries(settings)) target.searchParams.set(k, v);
  const res = await fetch(target, {
    method: 'POST',
    body: sql,
    headers: { authorization: `Basic ${Buffer.from(`${dashboardUser}:${dashboardPassword}`).toString('base64')}` },
  });
  const text = await res.text();
  const code = Number(/^Code: (\d+)/.exec(text)?.[1] ?? 0);
  return { status: res.status, code, text };
}

/** ClickHouse's READONLY error: the same code for every refusal below. */
const READONLY = 164;

describe('the dashboard ClickHouse user', () => {
  it(`reads ${DATABASE}`, async () => {
    const answer = await asDashboard('SELECT count() >= 0 FROM ticks');
    expect([answer.status, answer.code, answer.text.trim()]).toEqual([200, 0, '1']);
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
