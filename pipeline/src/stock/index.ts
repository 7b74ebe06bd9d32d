/** The stock pipeline and its pure logic (tick -> row, candle, alert rule). */
export * from './logic';
export * from './rows';
export * from './stockPipeline';
