//! The Java side: builds the Maven project under
//! `conformance/kafka-streams-oracle` (once; Maven caches its downloads in
//! `~/.m2`) and runs batches of jobs through it: one JVM per batch, or
//! several side by side for a large one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::events::{Event, FormatError, Outcome, input_file, parse_outcome};

/// What can go wrong running the oracle.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    /// A command (Maven or Java) could not be started.
    #[error("could not run {command}: {source} (Java 17 and Maven must be installed; .ci/run installs them)")]
    Spawn {
        /// The command.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// A command exited with a failure.
    #[error("{command} failed ({status}):\n{stderr}")]
    Failed {
        /// The command.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed on stderr (and stdout, for Maven).
        stderr: String,
    },
    /// Reading or writing the job files failed.
    #[error("oracle job files in {dir}: {source}")]
    Io {
        /// Directory of the job files.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The oracle wrote an output file that is not in the format.
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// One unit of work for the oracle.
#[derive(Debug, Clone)]
pub enum Job {
    /// Run a topology on an input; gives an [`Outcome`].
    Run {
        /// Reference topology name.
        topology: String,
        /// `topology.optimization`.
        optimization: String,
        /// The input.
        input: Vec<Event>,
        /// Output topics, in order.
        outputs: Vec<String>,
    },
    /// `describe()` of a topology; gives its text.
    Describe {
        /// Reference topology name.
        topology: String,
        /// `topology.optimization`.
        optimization: String,
    },
}

/// What a job gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// Of a [`Job::Run`].
    Outcome(Outcome),
    /// Of a [`Job::Describe`].
    Description(String),
}

/// The built oracle, ready to run jobs.
#[derive(Debug)]
pub struct Oracle {
    project: PathBuf,
}

impl Oracle {
    /// The Maven project's directory.
    pub fn project_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("kafka-streams-oracle")
    }

    /// Builds the Maven project unless its classes are newer than its sources.
    pub fn build() -> Result<Self, OracleError> {
        let project = Self::project_dir();
        if !is_fresh(&project) {
            let mut mvn = Command::new("mvn");
            mvn.current_dir(&project)
                .args(["-q", "-B", "compile", "dependency:copy-dependencies"]);
            let output = mvn.output().map_err(|source| OracleError::Spawn {
                command: "mvn".into(),
                source,
            })?;
            if !output.status.success() {
                return Err(OracleError::Failed {
                    command: format!("mvn compile in {}", project.display()),
                    status: output.status,
                    stderr: format!(
                        "{}{}",
                        String::from_utf8_lossy(&output.stdout),
                        String::from_utf8_lossy(&output.stderr)
                    ),
                });
            }
        }
        Ok(Self { project })
    }

    /// Runs `jobs`; results in the same order. A large batch is split over
    /// several JVMs run side by side (`CONFORMANCE_ORACLE_JVMS`, default: the
    /// number of cores), since each Kafka Streams test driver is
    /// single-threaded and most of a job's time is spent opening its stores.
    pub fn run(&self, jobs: &[Job]) -> Result<Vec<JobResult>, OracleError> {
        let jvms = std::env::var("CONFORMANCE_ORACLE_JVMS")
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        if jvms == 1 || jobs.len() < 100 {
            return self.run_in_one_jvm(jobs);
        }
        let chunk = jobs.len().div_ceil(jvms);
        std::thread::scope(|s| {
            let handles: Vec<_> = jobs
                .chunks(chunk)
                .map(|part| s.spawn(move || self.run_in_one_jvm(part)))
                .collect();
            let mut all = Vec::with_capacity(jobs.len());
            for h in handles {
                match h.join() {
                    Ok(results) => all.extend(results?),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Ok(all)
        })
    }

    /// Runs `jobs` in one JVM; results in the same order.
    fn run_in_one_jvm(&self, jobs: &[Job]) -> Result<Vec<JobResult>, OracleError> {
        let dir = tempfile::Builder::new()
            .prefix("kafka-streams-oracle-")
            .tempdir()
            .map_err(|source| OracleError::Io {
                dir: std::env::temp_dir(),
                source,
            })?;
        let io = |source| OracleError::Io {
            dir: dir.path().to_owned(),
            source,
        };
        let mut lines = String::new();
        let mut outputs = Vec::with_capacity(jobs.len());
        for (n, job) in jobs.iter().enumerate() {
            let output = dir.path().join(format!("out-{n}"));
            match job {
                Job::Run {
                    topology,
                    optimization,
                    input,
                    outputs: topics,
                } => {
                    let input_path = dir.path().join(format!("in-{n}"));
                    std::fs::write(&input_path, input_file(input)).map_err(io)?;
                    lines.push_str(&format!(
                        "run\t{topology}\t{optimization}\t{}\t{}\t{}\n",
                        input_path.display(),
                        output.display(),
                        topics.join(",")
                    ));
                }
                Job::Describe { topology, optimization } => {
                    lines.push_str(&format!("describe\t{topology}\t{optimization}\t{}\n", output.display()));
                }
            }
            outputs.push(output);
        }
        let jobs_file = dir.path().join("jobs");
        std::fs::write(&jobs_file, lines).map_err(io)?;

        let classpath = format!(
            "{}:{}/*",
            self.project.join("target/classes").display(),
            self.project.join("target/dependency").display()
        );
        // Each JVM gets its own temporary directory: Kafka Streams' test
        // driver keeps its stores under `${java.io.tmpdir}/kafka-streams`,
        // so JVMs run side by side would otherwise share (and corrupt) them.
        let output = Command::new("java")
            .arg(format!("-Djava.io.tmpdir={}", dir.path().display()))
            .args(["-cp", &classpath, "oracle.Oracle"])
            .arg(&jobs_file)
            .output()
            .map_err(|source| OracleError::Spawn {
                command: "java".into(),
                source,
            })?;
        if !output.status.success() {
            return Err(OracleError::Failed {
                command: "java oracle.Oracle".into(),
                status: output.status,
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        jobs.iter()
            .zip(outputs)
            .map(|(job, path)| {
                let text = std::fs::read_to_string(&path).map_err(io)?;
                Ok(match job {
                    Job::Run { .. } => JobResult::Outcome(parse_outcome(&text)?),
                    Job::Describe { .. } => JobResult::Description(text),
                })
            })
            .collect()
    }
}

/// Whether the compiled classes and the copied dependencies are newer than
/// every source file and the POM.
fn is_fresh(project: &Path) -> bool {
    let newest_source = [project.join("pom.xml"), project.join("src/main/java/oracle")]
        .iter()
        .flat_map(|p| files(p))
        .filter_map(|f| modified(&f))
        .max();
    let oldest_output = files(&project.join("target/classes/oracle"))
        .into_iter()
        .filter_map(|f| modified(&f))
        .min();
    let has_dependencies = files(&project.join("target/dependency"))
        .iter()
        .any(|f| f.to_string_lossy().contains("kafka-streams-test-utils"));
    matches!((newest_source, oldest_output), (Some(s), Some(o)) if o >= s) && has_dependencies
}

fn files(path: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(path) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(_) if path.is_file() => vec![path.to_owned()],
        Err(_) => Vec::new(),
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
