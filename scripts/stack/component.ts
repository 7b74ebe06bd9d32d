/** What the stack orchestrator needs from each component (ClickHouse, Kafka, Flink). */
import type { ManagedProcess } from './processes';

export interface Component {
  /** Name used on the command line (`stack:logs kafka`) and in messages. */
  name: string;
  /** The processes this component runs, in start order. */
  processes: ManagedProcess[];
  /** Ports the component listens on, with what each is for. */
  ports: { port: number; purpose: string }[];
  /** Log files worth showing (the process output files plus the component's own logs). */
  logFiles: string[];
  /** Downloads and caches what the component needs; no process is started. */
  fetch(progress: Progress): Promise<void>;
  /** Writes config and starts the processes that are not running yet. */
  start(progress: Progress): Promise<void>;
  /** True when the component answers its health check. */
  healthy(): Promise<boolean>;
  /** A one-line description of the health check, for messages. */
  healthDescription: string;
  /** Seconds to wait for health after a start. */
  startTimeoutSeconds: number;
  /** Work that needs the component healthy (topics, migrations). */
  afterHealthy?(progress: Progress): Promise<void>;
}

/** Progress lines on the terminal. */
export interface Progress {
  step(message: string): void;
  detail(message: string): void;
}
