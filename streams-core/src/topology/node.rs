//! Node factories (held by the topology, shared by all threads) and the node
//! instances they create for one task.
//!
//! Type erasure happens here, once, when a task is built: each instance's
//! typed input (`Rc<dyn Downstream<K, V>>`) travels to its parents inside an
//! `Rc<dyn Any>`, and each parent downcasts it to the edge type it forwards.
//! After that, records move along typed edges only.

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use super::sink::{SinkTopic, StreamPartitioner};
use crate::engine::queue::{ErasedQueue, RecordQueue};
use crate::engine::shared::TaskShared;
use crate::engine::{OutgoingRecord, TopicPartition};
use crate::error::{RecordPart, StreamsError, TopologyError};
use crate::processor::{Children, Downstream, EdgeResult, Processor, ProcessorContext, Punctuation};
use crate::record::Record;
use crate::serde::{Payload, Serde};
use crate::time::TimestampExtractor;

/// The key and value types of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TypeSig {
    key: TypeId,
    value: TypeId,
    pub(crate) key_name: &'static str,
    pub(crate) value_name: &'static str,
}

impl TypeSig {
    pub(crate) fn of<K: 'static, V: 'static>() -> Self {
        Self {
            key: TypeId::of::<K>(),
            value: TypeId::of::<V>(),
            key_name: std::any::type_name::<K>(),
            value_name: std::any::type_name::<V>(),
        }
    }

    pub(crate) fn same(&self, other: &TypeSig) -> bool {
        self.key == other.key && self.value == other.value
    }
}

/// What a factory gets to build one node instance for a task.
pub(crate) struct NodeEnv<'a> {
    pub(crate) index: usize,
    pub(crate) name: Arc<str>,
    pub(crate) shared: &'a Rc<TaskShared>,
    /// Children's typed inputs, each an `Rc<dyn Downstream<K, V>>` inside the `Any`.
    pub(crate) children: Vec<(Arc<str>, Rc<dyn Any>)>,
    /// Connected stores' handles.
    pub(crate) stores: Vec<(Arc<str>, Rc<dyn Any>)>,
    /// For sinks with a fixed topic: the topic as bound to the application
    /// (internal topics carry the application id).
    pub(crate) sink_topic: Option<Arc<str>>,
}

pub(crate) struct NodeInstance {
    /// For processors and sinks: `Rc<dyn Downstream<K, V>>` inside the `Any`.
    pub(crate) input: Option<Rc<dyn Any>>,
    /// For processors.
    pub(crate) lifecycle: Option<Rc<dyn NodeLifecycle>>,
    /// For sources.
    pub(crate) source: Option<Rc<dyn QueueFactory>>,
}

pub(crate) trait NodeFactory: Send + Sync {
    /// The edge type the node accepts (none for sources).
    fn input(&self) -> Option<TypeSig>;
    /// The edge type the node forwards (none for sinks).
    fn output(&self) -> Option<TypeSig>;
    fn instantiate(&self, env: NodeEnv<'_>) -> Result<NodeInstance, StreamsError>;
}

pub(crate) trait NodeLifecycle {
    fn init(&self) -> Result<(), StreamsError>;
    fn punctuate(&self, punctuation: Punctuation) -> Result<(), StreamsError>;
    fn close(&self) -> Result<(), StreamsError>;
}

pub(crate) trait QueueFactory {
    fn new_queue(self: Rc<Self>, index: usize, tp: TopicPartition, shared: Rc<TaskShared>) -> Box<dyn ErasedQueue>;
}

fn erase_input<K: 'static, V: 'static>(input: Rc<dyn Downstream<K, V>>) -> Rc<dyn Any> {
    Rc::new(input)
}

pub(crate) fn typed_children<K: Clone + 'static, V: Clone + 'static>(
    parent: &str,
    children: Vec<(Arc<str>, Rc<dyn Any>)>,
) -> Result<Children<K, V>, StreamsError> {
    let mut typed = Vec::with_capacity(children.len());
    for (name, any) in children {
        let input =
            any.downcast_ref::<Rc<dyn Downstream<K, V>>>()
                .cloned()
                .ok_or_else(|| TopologyError::TypeMismatch {
                    parent: parent.to_owned(),
                    parent_key: std::any::type_name::<K>(),
                    parent_value: std::any::type_name::<V>(),
                    child: name.to_string(),
                    child_key: "another type",
                    child_value: "another type",
                })?;
        typed.push((name, input));
    }
    Ok(Children::new(typed))
}

// ---------------------------------------------------------------- sources

pub(crate) struct SourceFactory<K, V, KS, VS> {
    pub(crate) key_serde: Arc<KS>,
    pub(crate) value_serde: Arc<VS>,
    pub(crate) extractor: TimestampExtractor<K, V>,
}

impl<K: Clone + 'static, V: Clone + 'static, KS: Serde<K>, VS: Serde<V>> NodeFactory for SourceFactory<K, V, KS, VS> {
    fn input(&self) -> Option<TypeSig> {
        None
    }

    fn output(&self) -> Option<TypeSig> {
        Some(TypeSig::of::<K, V>())
    }

    fn instantiate(&self, env: NodeEnv<'_>) -> Result<NodeInstance, StreamsError> {
        let node = Rc::new(SourceNode {
            key_serde: Arc::clone(&self.key_serde),
            value_serde: Arc::clone(&self.value_serde),
            extractor: self.extractor.clone(),
            children: typed_children(&env.name, env.children)?,
        });
        Ok(NodeInstance {
            input: None,
            lifecycle: None,
            source: Some(node),
        })
    }
}

/// The source node of a task: its serdes and timestamp extractor (concrete
/// types, so the input queues' decoding inlines) and its children.
pub(crate) struct SourceNode<K, V, KS, VS> {
    pub(crate) key_serde: Arc<KS>,
    pub(crate) value_serde: Arc<VS>,
    pub(crate) extractor: TimestampExtractor<K, V>,
    children: Children<K, V>,
}

impl<K: Clone + 'static, V: Clone + 'static, KS, VS> SourceNode<K, V, KS, VS> {
    /// Sends a decoded record to the source's children.
    #[inline]
    pub(crate) fn forward(&self, record: Record<K, V>) -> Result<(), StreamsError> {
        self.children.forward(record).map_err(|e| *e)
    }
}

impl<K: Clone + 'static, V: Clone + 'static, KS: Serde<K>, VS: Serde<V>> QueueFactory for SourceNode<K, V, KS, VS> {
    fn new_queue(self: Rc<Self>, index: usize, tp: TopicPartition, shared: Rc<TaskShared>) -> Box<dyn ErasedQueue> {
        Box::new(RecordQueue::new(index, tp, self, shared))
    }
}

// ------------------------------------------------------------- processors

pub(crate) struct ProcessorFactory<F, P, KIn, VIn, KOut, VOut> {
    pub(crate) supplier: F,
    #[allow(clippy::type_complexity)]
    pub(crate) types: PhantomData<fn() -> (P, KIn, VIn, KOut, VOut)>,
}

impl<F, P, KIn, VIn, KOut, VOut> NodeFactory for ProcessorFactory<F, P, KIn, VIn, KOut, VOut>
where
    F: Fn() -> P + Send + Sync + 'static,
    P: Processor<KIn, VIn, KOut, VOut>,
    KIn: Clone + 'static,
    VIn: Clone + 'static,
    KOut: Clone + 'static,
    VOut: Clone + 'static,
{
    fn input(&self) -> Option<TypeSig> {
        Some(TypeSig::of::<KIn, VIn>())
    }

    fn output(&self) -> Option<TypeSig> {
        Some(TypeSig::of::<KOut, VOut>())
    }

    fn instantiate(&self, env: NodeEnv<'_>) -> Result<NodeInstance, StreamsError> {
        let ctx = ProcessorContext {
            node_index: env.index,
            node_name: Arc::clone(&env.name),
            children: typed_children(&env.name, env.children)?,
            stores: env.stores,
            task: Rc::clone(env.shared),
        };
        let node = Rc::new(ProcessorNode {
            name: env.name,
            shared: Rc::clone(env.shared),
            state: RefCell::new(ProcessorState {
                processor: (self.supplier)(),
                ctx,
            }),
            types: PhantomData,
        });
        Ok(NodeInstance {
            input: Some(erase_input::<KIn, VIn>(node.clone())),
            lifecycle: Some(node),
            source: None,
        })
    }
}

struct ProcessorState<P, KOut, VOut> {
    processor: P,
    ctx: ProcessorContext<KOut, VOut>,
}

struct ProcessorNode<P, KIn, VIn, KOut, VOut> {
    name: Arc<str>,
    shared: Rc<TaskShared>,
    state: RefCell<ProcessorState<P, KOut, VOut>>,
    types: PhantomData<fn(KIn, VIn)>,
}

impl<P, KIn, VIn, KOut, VOut> ProcessorNode<P, KIn, VIn, KOut, VOut> {
    #[cold]
    #[inline(never)]
    fn reentered(&self) -> StreamsError {
        StreamsError::Processing {
            node: self.name.to_string(),
            task: self.shared.task_id,
            source: "processor re-entered while already running".into(),
        }
    }

    #[cold]
    #[inline(never)]
    fn failed(&self, error: crate::error::BoxError) -> EdgeResult {
        self.shared.on_processing_error(&self.name, error).map_err(Box::new)
    }

    fn state(&self) -> Result<std::cell::RefMut<'_, ProcessorState<P, KOut, VOut>>, StreamsError> {
        // A DAG never re-enters a node; say so rather than panic if it ever did.
        self.state.try_borrow_mut().map_err(|_| self.reentered())
    }
}

impl<P, KIn, VIn, KOut, VOut> Downstream<KIn, VIn> for ProcessorNode<P, KIn, VIn, KOut, VOut>
where
    P: Processor<KIn, VIn, KOut, VOut>,
{
    #[inline]
    fn accept(&self, record: Record<KIn, VIn>) -> EdgeResult {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return Err(Box::new(self.reentered()));
        };
        let ProcessorState { processor, ctx } = &mut *state;
        match processor.process(ctx, record) {
            Ok(()) => Ok(()),
            Err(e) => self.failed(e),
        }
    }
}

impl<P, KIn, VIn, KOut, VOut> NodeLifecycle for ProcessorNode<P, KIn, VIn, KOut, VOut>
where
    P: Processor<KIn, VIn, KOut, VOut>,
{
    fn init(&self) -> Result<(), StreamsError> {
        let mut state = self.state()?;
        let ProcessorState { processor, ctx } = &mut *state;
        processor
            .init(ctx)
            .map_err(|source| match source.downcast::<StreamsError>() {
                Ok(e) => *e,
                Err(source) => StreamsError::Processing {
                    node: self.name.to_string(),
                    task: self.shared.task_id,
                    source,
                },
            })
    }

    fn punctuate(&self, punctuation: Punctuation) -> Result<(), StreamsError> {
        let mut state = self.state()?;
        let ProcessorState { processor, ctx } = &mut *state;
        match processor.punctuate(ctx, punctuation) {
            Ok(()) => Ok(()),
            Err(e) => self.shared.on_processing_error(&self.name, e),
        }
    }

    fn close(&self) -> Result<(), StreamsError> {
        let mut state = self.state()?;
        state.processor.close().map_err(|source| StreamsError::Processing {
            node: self.name.to_string(),
            task: self.shared.task_id,
            source,
        })
    }
}

// ------------------------------------------------------------------ sinks

pub(crate) struct SinkFactory<K, V, KS, VS> {
    pub(crate) topic: SinkTopic<K, V>,
    pub(crate) key_serde: Arc<KS>,
    pub(crate) value_serde: Arc<VS>,
    pub(crate) partitioner: Option<StreamPartitioner<K, V>>,
}

impl<K: Clone + 'static, V: Clone + 'static, KS: Serde<K>, VS: Serde<V>> NodeFactory for SinkFactory<K, V, KS, VS> {
    fn input(&self) -> Option<TypeSig> {
        Some(TypeSig::of::<K, V>())
    }

    fn output(&self) -> Option<TypeSig> {
        None
    }

    fn instantiate(&self, env: NodeEnv<'_>) -> Result<NodeInstance, StreamsError> {
        let topic = match (&self.topic, env.sink_topic) {
            (SinkTopic::Fixed(_), Some(bound)) => SinkTopic::Fixed(bound),
            (topic, _) => topic.clone(),
        };
        let node = Rc::new(SinkNode {
            name: env.name,
            topic,
            key_serde: Arc::clone(&self.key_serde),
            value_serde: Arc::clone(&self.value_serde),
            partitioner: self.partitioner.clone(),
            shared: Rc::clone(env.shared),
            buffers: RefCell::new((Vec::new(), Vec::new())),
        });
        Ok(NodeInstance {
            input: Some(erase_input::<K, V>(node)),
            lifecycle: None,
            source: None,
        })
    }
}

/// Serializes records (into buffers reused for every record) and hands them to
/// the collector.
struct SinkNode<K, V, KS, VS> {
    name: Arc<str>,
    topic: SinkTopic<K, V>,
    key_serde: Arc<KS>,
    value_serde: Arc<VS>,
    partitioner: Option<StreamPartitioner<K, V>>,
    shared: Rc<TaskShared>,
    buffers: RefCell<(Vec<u8>, Vec<u8>)>,
}

impl<K: 'static, V: 'static, KS, VS> SinkNode<K, V, KS, VS> {
    #[cold]
    #[inline(never)]
    fn serialization_failed(&self, topic: &str, part: RecordPart, source: crate::error::SerdeError) -> EdgeResult {
        let error = StreamsError::Serialization {
            node: self.name.to_string(),
            topic: topic.to_owned(),
            part,
            source,
        };
        self.shared.on_production_error(&self.name, error).map_err(Box::new)
    }

    #[cold]
    #[inline(never)]
    fn send_failed(&self, error: StreamsError) -> EdgeResult {
        self.shared.on_production_error(&self.name, error).map_err(Box::new)
    }

    #[cold]
    #[inline(never)]
    fn negative_timestamp(&self, topic: &str, timestamp: i64) -> Box<StreamsError> {
        Box::new(StreamsError::NegativeOutputTimestamp {
            node: self.name.to_string(),
            topic: topic.to_owned(),
            timestamp,
        })
    }

    #[cold]
    #[inline(never)]
    fn reentered(&self) -> Box<StreamsError> {
        Box::new(StreamsError::Processing {
            node: self.name.to_string(),
            task: self.shared.task_id,
            source: "sink re-entered while already running".into(),
        })
    }

    fn partition(&self, topic: &str, record: &Record<K, V>) -> Option<i32> {
        let partitioner = self.partitioner.as_ref()?;
        let count = self.shared.collector.borrow().partition_count(topic)?;
        partitioner(topic, &record.key, &record.value, count).and_then(|p| i32::try_from(p).ok())
    }
}

impl<K: 'static, V: 'static, KS: Serde<K>, VS: Serde<V>> Downstream<K, V> for SinkNode<K, V, KS, VS> {
    fn accept(&self, record: Record<K, V>) -> EdgeResult {
        let topic: Cow<'_, str> = match &self.topic {
            SinkTopic::Fixed(t) => Cow::Borrowed(t),
            SinkTopic::Extractor(f) => Cow::Owned(f(&record)),
        };
        if record.timestamp < 0 {
            return Err(self.negative_timestamp(&topic, record.timestamp));
        }
        let Ok(mut buffers) = self.buffers.try_borrow_mut() else {
            return Err(self.reentered());
        };
        let (kbuf, vbuf) = &mut *buffers;
        kbuf.clear();
        vbuf.clear();
        let key = match self.key_serde.serialize_into(&topic, &record.key, kbuf) {
            Ok(p) => p,
            Err(e) => return self.serialization_failed(&topic, RecordPart::Key, e),
        };
        let value = match self.value_serde.serialize_into(&topic, &record.value, vbuf) {
            Ok(p) => p,
            Err(e) => return self.serialization_failed(&topic, RecordPart::Value, e),
        };
        let partition = if self.partitioner.is_some() {
            self.partition(&topic, &record)
        } else {
            None
        };
        let sent = self.shared.send(OutgoingRecord {
            topic: &topic,
            partition,
            key: (key == Payload::Bytes).then_some(kbuf.as_slice()),
            value: (value == Payload::Bytes).then_some(vbuf.as_slice()),
            timestamp: record.timestamp,
            headers: &record.headers,
        });
        match sent {
            Ok(()) => Ok(()),
            Err(e) => self.send_failed(e),
        }
    }
}
