import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The outside tools the tests read with, provisioned without root on first use: pinned PyPI packages into
 * .tools/ with pip --target, the test broker's Kafka jars with Maven (from Maven Central; Maven itself too when
 * `mvn` is missing). Each ensure* returns undefined when the tool is ready, else the one-line reason a test
 * that needs it skips with. WRAPPED_ETL_TEST_TOOLS (default .tools) and WRAPPED_ETL_TEST_KAFKA_LIBS (default
 * test/kafka/libs) move them, e.g. to empty folders to prove the provisioning itself.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const toolsDir = () => path.resolve(process.env.WRAPPED_ETL_TEST_TOOLS ?? path.join(ROOT, '.tools'));
export const kafkaLibsDir = () => path.resolve(process.env.WRAPPED_ETL_TEST_KAFKA_LIBS ?? path.join(ROOT, 'test', 'kafka', 'libs'));

/** The independent readers: fastavro (AVRO files), confluent-kafka (a librdkafka client with Confluent's AvroDeserializer). */
// cramjam and backports.zstd: what fastavro reads snappy and zstandard AVRO blocks with
const PYTHON_REQUIREMENTS = ['fastavro==1.12.2', 'cramjam==2.11.0', 'backports.zstd==1.8.1', 'confluent-kafka[avro]==2.16.2'];
const MAVEN_VERSION = '3.9.11';
const MAVEN_SHA512 =
  'bcfe4fe305c962ace56ac7b5fc7a08b87d5abd8b7e89027ab251069faebee516b0ded8961445d6d91ec1985dfe30f8153268843c89aa392733d1a3ec956c9978';

const run = (cmd: string, args: string[], cwd?: string) => spawnSync(cmd, args, { encoding: 'utf8', cwd, maxBuffer: 64 << 20 });
const ok = (cmd: string, args: string[]) => {
  const r = run(cmd, args);
  return !r.error && r.status === 0;
};

/** The folder PYTHONPATH points at: named after the pinned requirements, so a new pin installs afresh. */
export function pythonToolsDir(): string {
  const digest = createHash('sha256').update(PYTHON_REQUIREMENTS.join('\n')).digest('hex').slice(0, 10);
  return path.join(toolsDir(), `python-tests-${digest}`);
}

/** python3 with the pinned readers importable. */
export function pythonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: pythonToolsDir(), PYTHONDONTWRITEBYTECODE: '1' };
}

export function ensurePythonTools(): string | undefined {
  const dir = pythonToolsDir();
  if (fs.existsSync(path.join(dir, '.complete'))) return undefined;
  if (!ok('python3', ['-m', 'pip', '--version'])) return 'python3 with pip is missing (README: Needs)';
  const failed = pipInstallInto(dir, PYTHON_REQUIREMENTS, (partial) =>
    fs.writeFileSync(path.join(partial, '.complete'), PYTHON_REQUIREMENTS.join('\n')),
  );
  if (failed) throw new Error(failed);
  return undefined;
}

/** pip install --target a folder beside `dir`, renamed to `dir` once complete (`finish` runs before); the error when pip failed. */
function pipInstallInto(dir: string, requirements: string[], finish: (partial: string) => void = () => {}): string | undefined {
  const partial = `${dir}.${process.pid}.tmp`;
  fs.rmSync(partial, { recursive: true, force: true });
  const r = run('python3', [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-warn-script-location',
    '--target',
    partial,
    ...requirements,
  ]);
  if (r.status !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    return `pip install --target ${partial} ${requirements.join(' ')} failed: ${r.stderr || r.error?.message}`;
  }
  finish(partial);
  publishDir(partial, dir);
  return undefined;
}

/**
 * Moves a complete `partial` folder to `dir`. Test files provision in parallel: when another one published `dir`
 * first, its folder stays (a test may be running from it) and ours goes; an empty `dir` (a folder named to fill) is
 * replaced.
 */
function publishDir(partial: string, dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // absent, or not empty: the rename below tells which
  }
  try {
    fs.renameSync(partial, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    fs.rmSync(partial, { recursive: true, force: true });
  }
}

/** Java 17+ on PATH, as the test broker needs; else why not. */
function javaMissing(): string | undefined {
  const r = run('java', ['-version']);
  if (r.error || r.status !== 0) return 'java is missing: the Kafka tests run a real broker on Java 17+ (README: Needs)';
  const major = Number(/version "(\d+)/.exec(r.stderr)?.[1] ?? 0);
  return major >= 17 ? undefined : `java ${major} is too old: the test broker (Kafka 4.4) needs Java 17+`;
}

function kafkaJarsPresent(): boolean {
  const libs = kafkaLibsDir();
  // kafka-tools: ProducerPerformance, for the stream bench
  return fs.existsSync(libs) && ['kafka_2.13-', 'kafka-tools-4'].every((jar) => fs.readdirSync(libs).some((f) => f.startsWith(jar)));
}

/** `url` into `file` (a child process, so the synchronous setup can wait for it), checked against a pinned digest. */
function download(url: string, file: string, algorithm: string, digest: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const script = `fetch(${JSON.stringify(url)}).then(async (r) => { if (!r.ok) throw new Error('HTTP ' + r.status); require('fs').writeFileSync(${JSON.stringify(file)}, Buffer.from(await r.arrayBuffer())); })`;
  const got = run(process.execPath, ['-e', script]);
  if (got.status !== 0) throw new Error(`downloading ${url} failed: ${got.stderr}`);
  const actual = createHash(algorithm).update(fs.readFileSync(file)).digest('hex');
  if (actual !== digest) {
    fs.rmSync(file, { force: true });
    throw new Error(`${url}: ${algorithm} ${actual} is not the pinned ${digest}`);
  }
}

/** `mvn` on PATH, else Maven from Maven Central under .tools (checked by sha512). */
function maven(): string {
  if (ok('mvn', ['-v'])) return 'mvn';
  const home = path.join(toolsDir(), `apache-maven-${MAVEN_VERSION}`);
  const mvn = path.join(home, 'bin', 'mvn');
  if (fs.existsSync(mvn)) return mvn;
  const url = `https://repo1.maven.org/maven2/org/apache/maven/apache-maven/${MAVEN_VERSION}/apache-maven-${MAVEN_VERSION}-bin.tar.gz`;
  const tarball = path.join(toolsDir(), `apache-maven-${MAVEN_VERSION}.${process.pid}.tar.gz`);
  download(url, tarball, 'sha512', MAVEN_SHA512);
  const partial = `${home}.${process.pid}.tmp`;
  fs.mkdirSync(partial, { recursive: true });
  const unpacked = run('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1']);
  fs.rmSync(tarball, { force: true });
  if (unpacked.status !== 0) throw new Error(`unpacking ${tarball} failed: ${unpacked.stderr}`);
  publishDir(partial, home);
  return mvn;
}

/** The test broker's jars (test/kafka/pom.xml) in kafkaLibsDir(), resolved from Maven Central when missing. */
export function ensureKafkaJars(): string | undefined {
  return javaMissing() ?? (kafkaJarsPresent() ? undefined : resolvePom(path.join(ROOT, 'test', 'kafka', 'pom.xml'), kafkaLibsDir()));
}

/** test/avro-readers/libs: the Java Avro library with its codecs' libraries, and Spark's spark-avro jar */
export const avroReaderLibsDir = () => path.join(ROOT, 'test', 'avro-readers', 'libs');

/** The independent AVRO readers' jars (test/avro-readers/pom.xml), resolved from Maven Central when missing. */
export function ensureAvroReaderJars(): string | undefined {
  const libs = avroReaderLibsDir();
  const present =
    fs.existsSync(libs) && ['avro-1.', 'spark-avro_2.13-'].every((jar) => fs.readdirSync(libs).some((f) => f.startsWith(jar)));
  return javaMissing() ?? (present ? undefined : resolvePom(path.join(ROOT, 'test', 'avro-readers', 'pom.xml'), libs));
}

function resolvePom(pom: string, libs: string): undefined {
  const partial = `${libs}.${process.pid}.tmp`;
  fs.rmSync(partial, { recursive: true, force: true });
  const r = run(maven(), ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime']);
  if (r.status !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new Error(`resolving the jars of ${pom} failed: ${r.stdout}${r.stderr}${r.error?.message ?? ''}`);
  }
  publishDir(partial, libs);
  return undefined;
}

const PYSPARK_VERSION = '4.2.0';
/** pyspark (PyPI, pinned) under .tools, for PYTHONPATH */
export const pysparkDir = () => path.join(toolsDir(), `pyspark-${PYSPARK_VERSION}`);

/** pyspark in pysparkDir(), installed with pip --target when missing (Java 17+ runs it). */
export function ensurePyspark(): string | undefined {
  const noJava = javaMissing();
  if (noJava) return noJava;
  const dir = pysparkDir();
  if (fs.existsSync(path.join(dir, 'pyspark'))) return undefined;
  if (!ok('python3', ['-m', 'pip', '--version'])) return 'python3 with pip is missing (README: Needs)';
  const failed = pipInstallInto(dir, [`pyspark==${PYSPARK_VERSION}`]);
  if (failed) throw new Error(failed);
  return undefined;
}

/** Spark's s3a:// jars (test/spark-s3a/pom.xml: hadoop-aws matching pyspark's Hadoop, and the AWS SDK v2 bundle) under .tools */
export const sparkS3aJarsDir = () => path.join(toolsDir(), 'hadoop-aws-3.5.0');

/**
 * pyspark, spark-avro and the s3a:// jars, fetched when missing (pip, Maven Central); undefined when ready, else why
 * not (no Java or Python, or a fetch that failed, e.g. offline). In CI (CI=true) a failed fetch throws: nothing may skip there.
 */
export function ensureSparkS3a(): string | undefined {
  const dir = sparkS3aJarsDir();
  const present = () => fs.existsSync(dir) && ['hadoop-aws-', 'bundle-'].every((jar) => fs.readdirSync(dir).some((f) => f.startsWith(jar)));
  try {
    return (
      ensurePyspark() ??
      ensureAvroReaderJars() ??
      (present() ? undefined : resolvePom(path.join(ROOT, 'test', 'spark-s3a', 'pom.xml'), dir))
    );
  } catch (err) {
    const why = `fetching pyspark, spark-avro or hadoop-aws failed: ${(err as Error).message.trim().split('\n').slice(-3).join(' ')}`;
    if (process.env.CI === 'true') throw new Error(why, { cause: err });
    return why;
  }
}

/** Apicurio Registry 2.6 (Maven Central; its Confluent-compatible API; 3.x needs Java 21), a real schema registry. */
const APICURIO = {
  version: '2.6.13.Final',
  sha256: '3cda1b34aa020fb4ac4dd6a66018d757e81e437f97e20a1f92d366b70091c6ba',
};

/** The registry's runner jar under .tools, downloaded from Maven Central (sha256-pinned) when missing. */
export function apicurioJar(): string {
  const dir = path.join(toolsDir(), `apicurio-registry-${APICURIO.version}`);
  return path.join(dir, `apicurio-registry-app-${APICURIO.version}-runner.jar`);
}

export function ensureSchemaRegistry(): string | undefined {
  const noJava = javaMissing();
  if (noJava) return noJava;
  const jar = apicurioJar();
  if (fs.existsSync(jar)) return undefined;
  const dir = path.dirname(jar);
  const url = `https://repo1.maven.org/maven2/io/apicurio/apicurio-registry-app/${APICURIO.version}/apicurio-registry-app-${APICURIO.version}-all.tar.gz`;
  const tarball = path.join(toolsDir(), `apicurio.${process.pid}.tar.gz`);
  download(url, tarball, 'sha256', APICURIO.sha256);
  const partial = `${dir}.${process.pid}.tmp`;
  fs.mkdirSync(partial, { recursive: true });
  const unpacked = run('tar', ['-xzf', tarball, '-C', partial]);
  fs.rmSync(tarball, { force: true });
  if (unpacked.status !== 0) throw new Error(`unpacking ${url} failed: ${unpacked.stderr}`);
  publishDir(partial, dir);
  return undefined;
}

/** Chromium on PATH (Debian's chromium), the browser the report test drives; only root can install it (apt-get). */
export function chromiumPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'chromium');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
export function chromiumMissing(): string | undefined {
  return chromiumPath() ? undefined : 'chromium is not on PATH: installing it needs root (apt-get install chromium)';
}

/** pyarrow, an independent reader (also of a run in a bucket: its S3FileSystem) */
export const PYARROW: PipPackage = { dir: 'pyarrow-26.0.1', module: 'pyarrow', requirements: ['pyarrow==26.0.1'] };

/**
 * The engines that read run and world folders as datasets (test/integration/engines): pyspark and spark-avro
 * (ensurePyspark, ensureAvroReaderJars), and these pinned PyPI packages, each in its own .tools folder.
 */
const ENGINE_PACKAGES: PipPackage[] = [
  PYARROW,
  // DuckDB 2.0 downloads its avro extension at INSTALL; this DuckDB and extension come from PyPI instead
  { dir: 'duckdb-avro-1.4.4', module: 'duckdb_ext', requirements: ['duckdb==1.4.4', 'duckdb-ext-avro==1.4.4.20260205'] },
];

export interface PipPackage {
  /** its folder under the tools folder */
  dir: string;
  /** what it installs, to check it is there */
  module: string;
  requirements: string[];
}

/** A pinned PyPI package in its own tools folder (pip --target) when missing: the folder, or why it could not be installed. */
export function ensurePipPackage(pkg: PipPackage): string | undefined {
  const dir = pipPackageDir(pkg);
  if (fs.existsSync(path.join(dir, pkg.module))) return undefined;
  return pipInstallInto(dir, pkg.requirements);
}
export const pipPackageDir = (pkg: PipPackage) => path.join(toolsDir(), pkg.dir);

/** DuckDB with its httpfs extension from PyPI (DuckDB downloads extensions at INSTALL, which cannot reach its site here): reads s3:// in place */
export const DUCKDB_HTTPFS: PipPackage = {
  dir: 'duckdb-httpfs-1.4.4',
  module: 'duckdb_ext',
  requirements: ['duckdb==1.4.4', 'duckdb-ext-httpfs==1.4.4.20260205'],
};

/** pandas, for the README's pandas snippet (with fastavro from ensurePythonTools) */
export const PANDAS: PipPackage = { dir: 'pandas-3.1.1', module: 'pandas', requirements: ['pandas==3.1.1'] };

/** python3 with the engines importable (PYTHONPATH over ENGINE_PACKAGES' folders). */
export function enginePythonEnv(): NodeJS.ProcessEnv {
  const dirs = [pysparkDir(), ...ENGINE_PACKAGES.map(pipPackageDir)];
  return { ...process.env, PYTHONPATH: dirs.join(path.delimiter), PYTHONDONTWRITEBYTECODE: '1' };
}

/**
 * Installs what ensureEngineTools names when missing; undefined when ready, else why not (a missing Java or
 * Python, or an install that failed, e.g. offline). In CI (CI=true) a failed install throws: nothing may skip there.
 */
export function ensureEngineTools(): string | undefined {
  const noJava = javaMissing();
  if (noJava) return noJava.replace('the Kafka tests run a real broker on', 'Spark needs');
  if (!ok('python3', ['-m', 'pip', '--version'])) return 'python3 with pip is missing (README: Needs)';
  const failed = (what: string, detail: string) => {
    const why = `installing ${what} failed: ${detail.trim().split('\n').pop()}`;
    if (process.env.CI === 'true') throw new Error(why);
    return why;
  };
  for (const pkg of ENGINE_PACKAGES) {
    const error = ensurePipPackage(pkg);
    if (error) return failed(pkg.requirements.join(' '), error);
  }
  try {
    return ensurePyspark() ?? ensureAvroReaderJars();
  } catch (err) {
    return failed('pyspark or spark-avro', (err as Error).message);
  }
}

/** The SeaweedFS binary test/s3/build-seaweedfs.sh builds: <tools>/seaweedfs-VERSION/weed, VERSION as pinned there. */
export function weedPath(): string {
  const version = /^VERSION=(\S+)$/m.exec(fs.readFileSync(SEAWEEDFS_BUILD, 'utf8'))![1];
  return path.join(toolsDir(), `seaweedfs-${version}`, 'weed');
}
const SEAWEEDFS_BUILD = path.join(ROOT, 'test', 's3', 'build-seaweedfs.sh');

/** The S3-compatible test server, built from the Go module proxy on first use (~5 min on 2 cores); else why not. */
export function ensureSeaweedfs(): string | undefined {
  if (fs.existsSync(weedPath())) return undefined;
  if (!ok('go', ['version'])) return 'go is missing: the S3 tests build their SeaweedFS server with Go (README: Needs)';
  console.log(`test tools: building SeaweedFS into ${path.dirname(weedPath())} (once, ~5 min)`);
  const r = spawnSync('bash', [SEAWEEDFS_BUILD], {
    encoding: 'utf8',
    env: { ...process.env, WRAPPED_ETL_TEST_TOOLS: toolsDir() },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`building SeaweedFS (${SEAWEEDFS_BUILD}) failed: ${r.stderr || r.error?.message}`);
  return undefined;
}
