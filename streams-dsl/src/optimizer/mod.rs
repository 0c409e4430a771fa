//! The optimizer: rules that rewrite the logical graph's plan before it
//! is lowered, one rule per file, selected by `topology.optimization`.
//!
//! Rules run in this order:
//! 1. [`ReuseSourceTopic`]: independent of the others (it only changes where
//!    a table store restores from).
//! 2. [`MergeRepartitionTopics`]: changes which node feeds which, so it runs
//!    before fusion, which needs the final shape.
//! 3. [`FuseStateless`]: last, over the graph as it will be lowered.

mod fuse_stateless;
mod merge_repartition_topics;
mod reuse_source_topic;

pub use fuse_stateless::FuseStateless;
pub use merge_repartition_topics::MergeRepartitionTopics;
pub use reuse_source_topic::ReuseSourceTopic;

use streams_core::StreamsConfig;

use crate::error::DslError;
use crate::graph::{Graph, Plan};

/// The config key selecting the rules (Kafka Streams' name).
pub const TOPOLOGY_OPTIMIZATION: &str = "topology.optimization";

/// One rewrite of the plan.
pub trait OptimizerRule {
    /// The name `topology.optimization` lists it by.
    fn name(&self) -> &'static str;

    /// Rewrites `plan`; says whether anything changed.
    #[doc(hidden)]
    fn apply(&self, graph: &GraphView<'_>, plan: &mut PlanView<'_>) -> bool;
}

/// The graph as rules see it (read only).
#[doc(hidden)]
pub struct GraphView<'a>(pub(crate) &'a Graph);

/// The plan rules edit.
#[doc(hidden)]
pub struct PlanView<'a>(pub(crate) &'a mut Plan);

/// The rules a build runs, in order.
pub struct Optimizations {
    rules: Vec<Box<dyn OptimizerRule>>,
}

impl std::fmt::Debug for Optimizations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.rules.iter().map(|r| r.name())).finish()
    }
}

fn all_rules() -> Vec<Box<dyn OptimizerRule>> {
    vec![
        Box::new(ReuseSourceTopic),
        Box::new(MergeRepartitionTopics),
        Box::new(FuseStateless),
    ]
}

impl Optimizations {
    /// No rule (`topology.optimization=none`, the default).
    pub fn none() -> Self {
        Self { rules: Vec::new() }
    }

    /// Every rule (`all`).
    pub fn all() -> Self {
        Self { rules: all_rules() }
    }

    /// The rules named in `value`: `none`, `all`, or a comma-separated list
    /// of rule names (`reuse.ktable.source.topics`, `merge.repartition.topics`,
    /// `fuse.stateless.operations`).
    pub fn parse(value: &str) -> Result<Self, DslError> {
        let value = value.trim();
        match value {
            "" | "none" => return Ok(Self::none()),
            "all" => return Ok(Self::all()),
            _ => {}
        }
        let wanted: Vec<&str> = value.split(',').map(str::trim).collect();
        let known: Vec<&'static str> = all_rules().iter().map(|r| r.name()).collect();
        if let Some(bad) = wanted.iter().find(|w| !known.contains(w)) {
            return Err(DslError::UnknownOptimization {
                value: (*bad).to_owned(),
                known: known.join(", "),
            });
        }
        Ok(Self {
            rules: all_rules().into_iter().filter(|r| wanted.contains(&r.name())).collect(),
        })
    }

    /// The rules `config`'s `topology.optimization` selects.
    pub fn from_config(config: &StreamsConfig) -> Result<Self, DslError> {
        Self::parse(config.get(TOPOLOGY_OPTIMIZATION).unwrap_or("none"))
    }

    pub(crate) fn plan(&self, graph: &Graph) -> Plan {
        let mut plan = Plan::new(graph);
        for rule in &self.rules {
            let changed = rule.apply(&GraphView(graph), &mut PlanView(&mut plan));
            tracing::debug!(rule = rule.name(), changed, "optimizer rule applied");
        }
        plan
    }
}
