import { deploy } from './flink/src/deploy.ts';
import { describePipeline, DEFAULT_PIPELINE } from './flink/src/descriptor.ts';
import { locateBridgeJar } from './flink/src/jar.ts';
import { memoryReporter } from './flink/src/report.ts';
import { FlinkRestClient } from './flink/src/rest/client.ts';
import { SavepointStore } from './flink/src/savepoint-store.ts';
const SENTINEL = 'S3ntinel-pw-' + Date.now();
const flink = new FlinkRestClient({ url: 'http://localhost:8081' });
const env = { ...process.env, PIPELINE_NAME: 'probe-secrets', TICKS_TOPIC: 'probe-secrets-ticks', DLQ_TOPIC: 'probe-secrets-dlq', CLICKHOUSE_DATABASE: 'probe_secrets', WORKER_ADDRESS: process.argv[2] };
const descriptor = await describePipeline(DEFAULT_PIPELINE, env);
const rep = memoryReporter();
const r = await deploy(flink, new SavepointStore('/tmp/probe-sp.json'), rep, { descriptor, jar: () => locateBridgeJar({ build: false }), target: { workerAddress: process.argv[2], kafkaBrokers: ['localhost:9092'], clickhouse: { url: 'http://localhost:8123', database: 'probe_secrets', user: 'default', password: SENTINEL } }, tuning: {}, timeoutMs: 120000 });
console.log('job', r.jobId, SENTINEL);
const urls = [`/jobs/${r.jobId}`, `/jobs/${r.jobId}/config`, `/jobs/${r.jobId}/plan`, `/jobs/${r.jobId}/jobmanager/config`, `/jobmanager/config`, `/jobmanager/environment`, '/jars', `/jobs/${r.jobId}/exceptions`, '/jobmanager/logs', '/taskmanagers'];
for (const u of urls) { const t = await (await fetch('http://localhost:8081' + u)).text(); console.log(u, t.includes(SENTINEL), t.length); }
const logs = (await (await fetch('http://localhost:8081/jobmanager/logs')).json()).logs;
for (const l of logs) { const t = await (await fetch('http://localhost:8081/jobmanager/logs/' + l.name)).text(); if (t.includes(SENTINEL)) console.log('JM LOG LEAK', l.name, t.split('\n').filter(x => x.includes(SENTINEL)).slice(0,3).map(x=>x.slice(0,400))); }
const tms = (await (await fetch('http://localhost:8081/taskmanagers')).json()).taskmanagers;
for (const tm of tms) { const ls = (await (await fetch(`http://localhost:8081/taskmanagers/${tm.id}/logs`)).json()).logs; for (const l of ls) { const t = await (await fetch(`http://localhost:8081/taskmanagers/${tm.id}/logs/${l.name}`)).text(); if (t.includes(SENTINEL)) console.log('TM LOG LEAK', l.name, t.split('\n').filter(x => x.includes(SENTINEL)).slice(0,3).map(x=>x.slice(0,400))); } }
console.log('reporter leak', rep.lines.some(l => l.includes(SENTINEL)));
await flink.cancelJob(r.jobId);
