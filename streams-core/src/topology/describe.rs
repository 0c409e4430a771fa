//! `describe()`: Kafka Streams' `TopologyDescription`, in its text format.
//!
//! The text must be what Kafka Streams prints for the same graph, so that
//! users can diff descriptions and existing visualisers can draw ours. The
//! rules, from Kafka Streams' `InternalTopologyBuilder`:
//! - sub-topologies in number order, each followed by a blank line;
//! - within a sub-topology, nodes ordered by the size of the sub-graph below
//!   the node, largest first, then by name (a node's size is 1 plus the sizes
//!   of its successors);
//! - each node's successor and predecessor lists in the same order, but as
//!   Kafka Streams' `TreeSet`s hold them: compared while sizes were still
//!   growing, in the order Kafka Streams connects the nodes (see [`connect`]);
//! - a source's topics and a processor's stores are Java `HashSet`s, printed in
//!   `HashSet` iteration order, which we reproduce.

use std::cmp::Ordering;
use std::fmt;

use super::java_tree_set::JavaTreeSet;
use super::{NodeKind, Topology};

/// The whole topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyDescription {
    /// Sub-topologies in number order.
    pub subtopologies: Vec<SubtopologyDescription>,
}

/// One sub-topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtopologyDescription {
    /// Its number.
    pub id: u32,
    /// Its nodes, in Kafka Streams' order.
    pub nodes: Vec<NodeDescription>,
}

/// One node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeDescription {
    /// Node name.
    pub name: String,
    /// What kind of node, with its details.
    pub kind: NodeKindDescription,
    /// Children, in Kafka Streams' order.
    pub successors: Vec<String>,
    /// Parents, in Kafka Streams' order.
    pub predecessors: Vec<String>,
}

/// Kind-specific details of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKindDescription {
    /// A source: its topics (in Java `HashSet` order) or its pattern.
    Source {
        /// Topics read.
        topics: Vec<String>,
        /// Pattern read.
        pattern: Option<String>,
    },
    /// A processor and its stores (in Java `HashSet` order).
    Processor {
        /// Connected stores.
        stores: Vec<String>,
    },
    /// A sink and its topic (`None` when a topic extractor chooses per record).
    Sink {
        /// Fixed topic.
        topic: Option<String>,
    },
}

/// Java's `String.hashCode`.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// The iteration order of a Java `HashSet<String>` holding `items` (inserted in
/// this order): by bucket under the final table size, then insertion order.
pub(crate) fn java_hash_set_order(items: &[String]) -> Vec<String> {
    java_hash_set_positions(items)
        .into_iter()
        .map(|i| items[i].clone())
        .collect()
}

/// [`java_hash_set_order`] as positions in `items` (the first of duplicates).
fn java_hash_set_positions(items: &[String]) -> Vec<usize> {
    let mut unique: Vec<usize> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if !unique.iter().any(|&u| items[u] == *item) {
            unique.push(i);
        }
    }
    let mut capacity: usize = 16;
    while unique.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let bucket = |s: &str| {
        let h = java_string_hash(s) as u32;
        ((h ^ (h >> 16)) as usize) & (capacity - 1)
    };
    // A stable sort by bucket keeps insertion order within a bucket.
    unique.sort_by_key(|&i| bucket(&items[i]));
    unique
}

/// How Kafka Streams' `describeSubtopology` leaves one sub-topology: its
/// nodes' final sizes, and each node's successors and predecessors in the
/// order of their `TreeSet`s.
struct Connected {
    size: Vec<i64>,
    successors: Vec<JavaTreeSet>,
    predecessors: Vec<JavaTreeSet>,
}

/// Connects `members` (node indices of one sub-topology, in creation order)
/// exactly as Kafka Streams does: nodes visited in the iteration order of a
/// Java `HashMap` keyed by name; for each, each predecessor in declaration
/// order is added to the node's predecessor set, the node to the
/// predecessor's successor set, and the node's current size to the
/// predecessor and, transitively, to every predecessor connected so far.
/// Sets order by size (largest first) then name, compared on insertion only,
/// so the printed order depends on this sequence.
fn connect(topology: &Topology, members: &[usize]) -> Connected {
    let n = topology.nodes.len();
    let mut c = Connected {
        size: vec![1; n],
        successors: vec![JavaTreeSet::default(); n],
        predecessors: vec![JavaTreeSet::default(); n],
    };
    let names: Vec<String> = members.iter().map(|&i| topology.nodes[i].name.to_string()).collect();
    for position in java_hash_set_positions(&names) {
        let node = members[position];
        for &parent in &topology.nodes[node].parents {
            let Connected {
                size,
                successors,
                predecessors,
            } = &mut c;
            let cmp = |a: usize, b: usize| {
                if a == b {
                    return Ordering::Equal;
                }
                size[b]
                    .cmp(&size[a])
                    .then_with(|| topology.nodes[a].name.cmp(&topology.nodes[b].name))
            };
            predecessors[node].insert(parent, cmp);
            successors[parent].insert(node, cmp);
            let delta = c.size[node];
            add_size(&mut c, parent, delta);
        }
    }
    c
}

/// Kafka Streams' `updateSize`: adds `delta` to `node` and to every
/// predecessor reachable through the sets connected so far (once per path).
fn add_size(c: &mut Connected, node: usize, delta: i64) {
    c.size[node] += delta;
    for p in c.predecessors[node].items() {
        add_size(c, p, delta);
    }
}

pub(super) fn describe(topology: &Topology, groups: &[u32]) -> TopologyDescription {
    let n = topology.nodes.len();
    let count = groups.iter().map(|g| g + 1).max().unwrap_or(0);
    let subtopologies = (0..count)
        .map(|id| {
            let mut members: Vec<usize> = (0..n).filter(|&i| groups[i] == id).collect();
            let connected = connect(topology, &members);
            let size = &connected.size;
            // The sub-topology's own node set is built after all sizes are
            // final, so it is simply sorted.
            members.sort_by(|a, b| {
                size[*b]
                    .cmp(&size[*a])
                    .then_with(|| topology.nodes[*a].name.cmp(&topology.nodes[*b].name))
            });
            let names = |set: &JavaTreeSet| -> Vec<String> {
                set.items()
                    .into_iter()
                    .map(|i| topology.nodes[i].name.to_string())
                    .collect()
            };
            let nodes = members
                .into_iter()
                .map(|i| {
                    let def = &topology.nodes[i];
                    let kind = match &def.kind {
                        NodeKind::Source { topics, pattern, .. } => NodeKindDescription::Source {
                            topics: java_hash_set_order(
                                &topics
                                    .iter()
                                    .map(|t| topology.display_topic(t).to_owned())
                                    .collect::<Vec<_>>(),
                            ),
                            pattern: pattern.as_ref().map(|(p, _)| p.clone()),
                        },
                        NodeKind::Processor => {
                            let stores: Vec<String> = def
                                .stores
                                .iter()
                                .map(|&s| topology.stores[s].name.to_string())
                                .collect();
                            NodeKindDescription::Processor {
                                stores: java_hash_set_order(&stores),
                            }
                        }
                        NodeKind::Sink { topic } => NodeKindDescription::Sink {
                            topic: topic.as_deref().map(|t| topology.display_topic(t).to_owned()),
                        },
                    };
                    NodeDescription {
                        name: def.name.to_string(),
                        kind,
                        successors: names(&connected.successors[i]),
                        predecessors: names(&connected.predecessors[i]),
                    }
                })
                .collect();
            SubtopologyDescription { id, nodes }
        })
        .collect();
    TopologyDescription { subtopologies }
}

fn node_names(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

impl fmt::Display for NodeDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            NodeKindDescription::Source { topics, pattern } => {
                let topics = match pattern {
                    Some(p) => p.clone(),
                    None => format!("[{}]", topics.join(", ")),
                };
                write!(
                    f,
                    "Source: {} (topics: {topics})\n      --> {}",
                    self.name,
                    node_names(&self.successors)
                )
            }
            NodeKindDescription::Processor { stores } => write!(
                f,
                "Processor: {} (stores: [{}])\n      --> {}\n      <-- {}",
                self.name,
                stores.join(", "),
                node_names(&self.successors),
                node_names(&self.predecessors)
            ),
            NodeKindDescription::Sink { topic } => match topic {
                Some(t) => write!(
                    f,
                    "Sink: {} (topic: {t})\n      <-- {}",
                    self.name,
                    node_names(&self.predecessors)
                ),
                None => write!(
                    f,
                    "Sink: {} (extractor class: TopicNameExtractor)\n      <-- {}",
                    self.name,
                    node_names(&self.predecessors)
                ),
            },
        }
    }
}

impl fmt::Display for SubtopologyDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Sub-topology: {}", self.id)?;
        for node in &self.nodes {
            writeln!(f, "    {node}")?;
        }
        writeln!(f)
    }
}

impl fmt::Display for TopologyDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Topologies:\n ")?;
        for s in &self.subtopologies {
            write!(f, "  {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_codes() {
        // Values of "...".hashCode() in Java.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn hash_set_order_is_by_bucket() {
        // "a" hashes to 97 (bucket 1), "b" to 98 (bucket 2).
        let order = java_hash_set_order(&["b".into(), "a".into()]);
        assert_eq!(order, ["a", "b"]);
        // new HashSet<>(List.of("topic-b", "topic-a", "input")) iterates
        // [input, topic-a, topic-b]: hash codes 100358090, -1139260605 and
        // -1139260604 fall in buckets 1, 11 and 12 of a 16-bucket table.
        let order = java_hash_set_order(&["topic-b".into(), "topic-a".into(), "input".into()]);
        assert_eq!(order, ["input", "topic-a", "topic-b"]);
    }
}
