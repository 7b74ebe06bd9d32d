/**
 * The page in Debian's Chromium (playwright-core): loads without console
 * errors, shows the seeded prices, draws both charts, and updates from the
 * stream when a tick lands, without a reload. Saves artifacts/dashboard.png.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/stack/layout';
import type { DashboardServer } from '../src/server';
import {
  alertsFromCandles,
  candlesFromTicks,
  createTestDatabase,
  generateTicks,
  insertAlerts,
  insertCandles,
  insertTicks,
  type TestDatabase,
  type TickInput,
} from './fixtures';
import { closedPort, dashboardFor } from './server-helpers';

const START = Date.parse('2026-01-05T14:00:00.000Z');
const ticks = generateTicks({
  symbols: { AAPL: 231.5, MSFT: 418.2, GOOG: 176.9, AMZN: 198.4, NVDA: 132.7, TSLA: 251.3 },
  startMs: START,
  ticks: 12_000,
  stepMs: 300,
});
const candles = candlesFromTicks(ticks);
const lastOf = (symbol: string) => ticks.filter((t) => t.symbol === symbol).at(-1) as TickInput;

let db: TestDatabase;
let app: DashboardServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await insertTicks(db.admin, ticks);
  await insertCandles(db.admin, candles);
  await insertAlerts(db.admin, alertsFromCandles(candles, 0.3));
  app = await dashboardFor(db, { stream: { pollIntervalMs: 200, healthIntervalMs: 2000 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.drop();
});

/** Polls `read` in the page until it returns `expected` (deadline 10 s). */
async function until<T>(read: () => Promise<T>, expected: T): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last: T = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

const cardPrices = () =>
  page.$$eval('.card', (cards) =>
    cards.map((c) => [c.querySelector('.symbol')?.textContent, c.querySelector('.price')?.textContent]),
  );

describe('the dashboard page', () => {
  it('shows every symbol’s last seeded price on its card, sorted', async () => {
    const expected = ['AAPL', 'AMZN', 'GOOG', 'MSFT', 'NVDA', 'TSLA'].map((s) => [s, lastOf(s).price.toFixed(2)]);
    await until(cardPrices, expected);
  });

  it('draws the line chart with the selected symbol’s last 15 minutes and the candle chart with its minutes', async () => {
    const newest = ticks.at(-1)?.ms as number;
    const expectedPoints = ticks.filter((t) => t.symbol === 'AAPL' && t.ms >= newest - 15 * 60_000).length;
    const expectedCandles = candles.filter((c) => c.symbol === 'AAPL' && c.startMs >= newest - 60 * 60_000).length;
    // Page code runs as strings: this package is type-checked without the DOM library.
    const counts = () =>
      page.evaluate(
        '[dashboard.lineChart.data.datasets[0].data.length, dashboard.candleChart.data.datasets[0].data.length]',
      );
    await until(counts, [expectedPoints, expectedCandles]);
    expect(expectedPoints).toBeGreaterThan(100);
    // The canvases have pixels drawn on them (not blank).
    const painted = await page.evaluate(`['line-chart', 'candle-chart'].map((id) => {
      const canvas = document.getElementById(id);
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let opaque = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) opaque += 1;
      return opaque > 1000;
    })`);
    expect(painted).toEqual([true, true]);
    expect(await page.textContent('#line-symbol')).toBe('· AAPL');
  });

  it('fills the stats, recent ticks and alerts', async () => {
    await until(() => page.$$eval('#stats tbody tr', (rows) => rows.length), 6);
    const newestFirst = [...ticks].reverse().slice(0, 25);
    await until(
      () => page.$$eval('#recent tbody tr td:nth-child(2)', (cells) => cells.map((c) => c.textContent)),
      newestFirst.map((t) => t.symbol),
    );
    expect(await page.$$eval('#alerts li', (items) => items.length)).toBeGreaterThan(0);
  });

  it('updates the card, the line and the recent table when a tick lands, without a reload', async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await page.waitForFunction("document.getElementById('h-stream').textContent === 'live'");
    const before = await page.evaluate('dashboard.lineChart.data.datasets[0].data.length');
    const last = ticks.at(-1) as TickInput;
    // A realistic next price, so the screenshot looks like a live market.
    const price = Math.round((lastOf('AAPL').price + 0.42) * 100) / 100;
    const fresh: TickInput = { id: 'live-1', symbol: 'AAPL', price, volume: 77, ms: last.ms + 1000 };
    await insertTicks(db.admin, [fresh]);
    await until(async () => (await cardPrices()).find(([symbol]) => symbol === 'AAPL')?.[1], price.toFixed(2));
    await until(() => page.$eval('#recent tbody tr td:nth-child(3)', (cell) => cell.textContent), price.toFixed(2));
    const after = await page.evaluate('dashboard.lineChart.data.datasets[0].data.at(-1).y');
    expect(after).toBe(price);
    expect(before).toBeGreaterThan(0);
    expect(navigations).toEqual([]);
  });

  it('logged no console errors, and leaves a screenshot in artifacts/', async () => {
    expect(consoleErrors).toEqual([]);
    const dir = join(repoRoot, 'artifacts');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });
  });
});

describe('the dashboard page without data or without ClickHouse', () => {
  it('shows the empty state on an empty database, without console errors', async () => {
    const empty = await createTestDatabase();
    const server = await dashboardFor(empty);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const other = await browser.newPage();
    const errors: string[] = [];
    other.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    other.on('pageerror', (error) => errors.push(error.message));
    try {
      await other.goto(`http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`);
      await other.waitForSelector('#empty:not([hidden])');
      expect(await other.textContent('#empty')).toContain('No ticks yet.');
      await other.waitForFunction("document.querySelector('#stats tbody').textContent === 'No ticks in the window'");
      expect(await other.$$eval('.card', (cards) => cards.length)).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await other.close();
      await server.close();
      await empty.drop();
    }
  });

  it('shows a banner naming ClickHouse and its URL when ClickHouse is down', async () => {
    const port = await closedPort();
    const server = await dashboardFor(db, { clickhouseUrl: `http://127.0.0.1:${port}` });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const other = await browser.newPage();
    try {
      await other.goto(`http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`);
      await other.waitForSelector('#banner:not([hidden])');
      expect(await other.textContent('#banner')).toMatch(
        new RegExp(`^ClickHouse at http://127\\.0\\.0\\.1:${port} is unreachable`),
      );
    } finally {
      await other.close();
      await server.close();
    }
  });
});
