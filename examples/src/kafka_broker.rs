//! A real Apache Kafka broker for tests and benchmarks: single-node KRaft
//! (Kafka 4.0, broker and controller in one JVM) from the Maven Central jars
//! of `benchmarks/kafka`, formatted in a fresh directory and started on
//! 127.0.0.1 ports chosen free; stopped (and its data deleted) on drop.
//!
//! The first start fetches the jars with Maven (`mvn compile
//! dependency:copy-dependencies`, cached in `~/.m2`). Java 17 and Maven must
//! be installed (`.ci/run` installs them); without them `start` fails, it
//! never skips.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::kafka_io::IoError;

/// The Maven project holding the broker's and the Java benchmarks' class path.
pub fn maven_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../benchmarks/kafka")
}

/// Builds the Maven project (jars and Java benchmark classes) unless done.
/// One build at a time per process.
pub fn ensure_built() -> Result<PathBuf, IoError> {
    static BUILD: Mutex<()> = Mutex::new(());
    let _guard = BUILD.lock().map_err(|_| "a Maven build panicked")?;
    let project = maven_project();
    let deps = project.join("target/dependency");
    let built = std::fs::read_dir(&deps)
        .map(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("kafka_2.13"))
        })
        .unwrap_or(false);
    let sources_newer = newest(&project.join("src"))
        .zip(newest(&project.join("target/classes")))
        .is_some_and(|(src, classes)| src > classes);
    if !built || sources_newer || !project.join("target/classes").exists() {
        let out = Command::new("mvn")
            .current_dir(&project)
            .args(["-q", "-B", "compile", "dependency:copy-dependencies"])
            .output()
            .map_err(|e| format!("running mvn (Java 17 and Maven must be installed): {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mvn compile in {} failed:\n{}{}",
                project.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
    }
    Ok(project)
}

fn newest(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.filter_map(Result::ok) {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(m) = e.metadata().and_then(|m| m.modified()) {
                newest = newest.max(Some(m));
            }
        }
    }
    newest
}

/// The class path of the Maven project's jars (and its compiled classes).
pub fn class_path() -> Result<String, IoError> {
    let project = ensure_built()?;
    Ok(format!(
        "{}:{}/*",
        project.join("target/classes").display(),
        project.join("target/dependency").display()
    ))
}

/// A running single-node Kafka broker.
pub struct KafkaBroker {
    child: Child,
    bootstrap_servers: String,
    dir: tempfile::TempDir,
}

impl KafkaBroker {
    /// Formats and starts a broker; returns once it answers metadata requests.
    pub fn start() -> Result<Self, IoError> {
        let cp = class_path()?;
        let dir = tempfile::Builder::new().prefix("kafka-broker-").tempdir()?;
        let (broker_port, controller_port) = (free_port()?, free_port()?);
        let properties = dir.path().join("server.properties");
        let mut f = std::fs::File::create(&properties)?;
        writeln!(
            f,
            "process.roles=broker,controller\n\
             node.id=1\n\
             controller.quorum.voters=1@127.0.0.1:{controller_port}\n\
             listeners=PLAINTEXT://127.0.0.1:{broker_port},CONTROLLER://127.0.0.1:{controller_port}\n\
             advertised.listeners=PLAINTEXT://127.0.0.1:{broker_port}\n\
             controller.listener.names=CONTROLLER\n\
             listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n\
             inter.broker.listener.name=PLAINTEXT\n\
             log.dirs={}\n\
             offsets.topic.replication.factor=1\n\
             offsets.topic.num.partitions=4\n\
             transaction.state.log.replication.factor=1\n\
             transaction.state.log.min.isr=1\n\
             group.initial.rebalance.delay.ms=0\n\
             auto.create.topics.enable=false\n\
             num.partitions=1",
            dir.path().join("data").display()
        )?;
        drop(f);
        let format = Command::new("java")
            .args([
                "-cp",
                &cp,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                "MkU3OEVBNTcwNTJENDM2Qg",
                "-c",
            ])
            .arg(&properties)
            .output()
            .map_err(|e| format!("running java (Java 17 must be installed): {e}"))?;
        if !format.status.success() {
            return Err(format!(
                "formatting the broker's storage failed: {}",
                String::from_utf8_lossy(&format.stderr)
            )
            .into());
        }
        let log = std::fs::File::create(dir.path().join("broker.log"))?;
        let child = Command::new("java")
            .args(["-Xms256m", "-Xmx768m", "-XX:+UseSerialGC", "-cp", &cp, "kafka.Kafka"])
            .arg(&properties)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting the broker: {e}"))?;
        let mut broker = Self {
            child,
            bootstrap_servers: format!("127.0.0.1:{broker_port}"),
            dir,
        };
        broker.wait_until_ready(Duration::from_secs(90))?;
        Ok(broker)
    }

    fn wait_until_ready(&mut self, timeout: Duration) -> Result<(), IoError> {
        use rdkafka::producer::{BaseProducer, Producer};
        let deadline = Instant::now() + timeout;
        let probe: BaseProducer = rdkafka::ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap_servers)
            .set("log_level", "0")
            .create()?;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("the broker exited ({status}); log:\n{}", self.log_tail()).into());
            }
            if probe
                .client()
                .fetch_metadata(None, Duration::from_secs(2))
                .is_ok_and(|m| !m.brokers().is_empty())
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the broker did not start within {timeout:?}; log:\n{}", self.log_tail()).into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The last lines of the broker's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("broker.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// `bootstrap.servers` of the broker (127.0.0.1).
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap_servers
    }

    /// The broker process id (to measure its CPU, for instance).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for KafkaBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now, on 127.0.0.1.
fn free_port() -> Result<u16, IoError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
