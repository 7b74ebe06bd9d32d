/**
 * The Flink config.yaml and log4j config of the local stack's session cluster.
 * The JobManager and TaskManager are started by their main classes (not Flink's
 * bash scripts), so the TaskManager's CPU and memory sizes must be explicit and
 * the JVM flags Flink's scripts would add are computed here too.
 */

/** The Java 17 module flags from Flink 2.2's default config.yaml (env.java.opts.all). */
export const flinkJava17Options: readonly string[] = [
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
];

/** TaskManager memory, in MiB. The JVM limits below are derived from these, as Flink's scripts would. */
export interface TaskManagerMemory {
  frameworkHeap: number;
  frameworkOffHeap: number;
  taskHeap: number;
  /** Direct memory for user code: the bridge's gRPC client (Netty) allocates here. */
  taskOffHeap: number;
  network: number;
  managed: number;
  /**
   * Class metadata. Every job submission loads its jar's classes in a fresh class loader, and a
   * finished job's loader takes more than one full GC to be freed (it is phantom-reachable first).
   * At Flink's default 256m a benchmark run of ~14 back-to-back jobs ended in "OutOfMemoryError:
   * Metaspace" and a dead TaskManager; the local stack runs many jobs in a row.
   */
  metaspace: number;
  jvmOverhead: number;
}

export const defaultTaskManagerMemory: TaskManagerMemory = {
  frameworkHeap: 128,
  frameworkOffHeap: 128,
  taskHeap: 768,
  taskOffHeap: 256,
  network: 128,
  managed: 256,
  metaspace: 640,
  jvmOverhead: 192,
};

export interface FlinkClusterSettings {
  restAddress: string;
  restPort: number;
  rpcPort: number;
  taskSlots: number;
  checkpointsDir: string;
  savepointsDir: string;
  tmpDir: string;
  webUploadDir: string;
  memory: TaskManagerMemory;
}

/** A YAML scalar: quoted when it is not a plain number/boolean/simple word. */
function yamlValue(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return /^[A-Za-z0-9_./:-]+$/.test(value) && !/^(true|false|null|~|yes|no|on|off)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

/** The flat key/value pairs of the cluster's config.yaml, in output order. */
export function flinkConfigEntries(s: FlinkClusterSettings): [string, string | number | boolean][] {
  const mb = (n: number) => `${n}m`;
  return [
    ['env.java.opts.all', flinkJava17Options.join(' ')],
    ['jobmanager.rpc.address', 'localhost'],
    ['jobmanager.rpc.port', s.rpcPort],
    ['jobmanager.bind-host', 'localhost'],
    ['jobmanager.memory.process.size', '1024m'],
    ['jobmanager.execution.failover-strategy', 'region'],
    ['taskmanager.host', 'localhost'],
    ['taskmanager.bind-host', 'localhost'],
    ['taskmanager.numberOfTaskSlots', s.taskSlots],
    ['taskmanager.cpu.cores', s.taskSlots],
    ['taskmanager.memory.framework.heap.size', mb(s.memory.frameworkHeap)],
    ['taskmanager.memory.framework.off-heap.size', mb(s.memory.frameworkOffHeap)],
    ['taskmanager.memory.task.heap.size', mb(s.memory.taskHeap)],
    ['taskmanager.memory.task.off-heap.size', mb(s.memory.taskOffHeap)],
    ['taskmanager.memory.network.min', mb(s.memory.network)],
    ['taskmanager.memory.network.max', mb(s.memory.network)],
    ['taskmanager.memory.managed.size', mb(s.memory.managed)],
    ['taskmanager.memory.jvm-metaspace.size', mb(s.memory.metaspace)],
    ['taskmanager.memory.jvm-overhead.min', mb(s.memory.jvmOverhead)],
    ['taskmanager.memory.jvm-overhead.max', mb(s.memory.jvmOverhead)],
    ['parallelism.default', 1],
    ['rest.address', s.restAddress],
    ['rest.bind-address', s.restAddress],
    ['rest.port', s.restPort],
    ['web.upload.dir', s.webUploadDir],
    ['web.submit.enable', true],
    ['web.cancel.enable', true],
    ['execution.checkpointing.dir', `file://${s.checkpointsDir}`],
    ['execution.checkpointing.savepoint-dir', `file://${s.savepointsDir}`],
    ['io.tmp.dirs', s.tmpDir],
    // A killed TaskManager is noticed after two failed heartbeat RPCs (~4 s) instead of
    // 50 s, which keeps crash-and-recover tests short; 20 s still rides out GC pauses.
    ['heartbeat.interval', 2000],
    ['heartbeat.timeout', 20000],
  ];
}

/** config.yaml text (Flink 2 reads only config.yaml; flat dotted keys are valid there). */
export function flinkConfigYaml(s: FlinkClusterSettings): string {
  const lines = flinkConfigEntries(s).map(([k, v]) => `${k}: ${yamlValue(v)}`);
  return `# Generated by scripts/stack (npm run stack:up); edits are overwritten.\n${lines.join('\n')}\n`;
}

/** JVM flags for the TaskManager that match its configured memory (what Flink's scripts compute). */
export function taskManagerJvmOptions(memory: TaskManagerMemory): string[] {
  const heap = memory.frameworkHeap + memory.taskHeap;
  const direct = memory.frameworkOffHeap + memory.taskOffHeap + memory.network;
  return [
    `-Xmx${heap}m`,
    `-Xms${heap}m`,
    `-XX:MaxDirectMemorySize=${direct}m`,
    `-XX:MaxMetaspaceSize=${memory.metaspace}m`,
  ];
}

/** JVM flags for the JobManager (1024m process: heap, metaspace, direct memory for the REST server). */
export function jobManagerJvmOptions(): string[] {
  return ['-Xmx512m', '-Xms512m', '-XX:MaxMetaspaceSize=256m', '-XX:MaxDirectMemorySize=128m'];
}

/** log4j2 properties: everything into the file named by the `log.file` system property, as Flink's own config does. */
export function flinkLog4jProperties(): string {
  return `# Generated by scripts/stack (npm run stack:up).
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = \${sys:log.file}
appender.main.filePattern = \${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5level %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 100MB
appender.main.policies.startup.type = OnStartupTriggeringPolicy
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 5
`;
}
