//! Stages: stateless steps (filter, map, ...) that can run either as an
//! ordinary processor each, or several fused into one node.
//!
//! A [`Stage`] takes one record and emits zero or more records into a
//! [`Downstream`]. [`StageProcessor`] runs one stage as a plain
//! [`Processor`]; [`Topology::add_stages`](super::Topology::add_stages) runs a
//! chain of stages as one node, each stage emitting straight into the next, so
//! a record crosses one node instead of one per step (the DSL's fusion rule).
//!
//! Stage types are erased when a chain is built ([`ErasedStage`]) and checked
//! once, link by link, when it is added to the topology; per record the chain
//! is typed calls only.

use std::any::Any;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use super::node::{NodeEnv, NodeFactory, NodeInstance, TypeSig, typed_children};
use crate::error::StreamsError;
use crate::processor::{Downstream, EdgeResult, ProcessResult, Processor, ProcessorContext};
use crate::record::{Data, Record};

/// One stateless step from `(KI, VI)` to zero or more `(KO, VO)`.
///
/// Implemented by closures `Fn(Record<KI, VI>, &dyn Downstream<KO, VO>) -> EdgeResult`.
/// A stage must pass on errors returned by `out` unchanged.
///
/// # Examples
///
/// ```
/// use streams_core::processor::{Downstream, EdgeResult};
/// use streams_core::topology::{ErasedStage, Stage};
/// use streams_core::Record;
///
/// let upper = |r: Record<String, String>, out: &dyn Downstream<String, String>| -> EdgeResult {
///     let v = r.value.to_uppercase();
///     out.accept(r.with_value(v))
/// };
/// let erased = ErasedStage::new(upper);
/// assert!(erased.input_types().1.contains("String"));
/// ```
pub trait Stage<KI, VI, KO, VO>: Send + Sync + 'static {
    /// Processes one record, emitting results into `out`.
    fn apply(&self, record: Record<KI, VI>, out: &dyn Downstream<KO, VO>) -> EdgeResult;
}

impl<KI, VI, KO, VO, F> Stage<KI, VI, KO, VO> for F
where
    F: Fn(Record<KI, VI>, &dyn Downstream<KO, VO>) -> EdgeResult + Send + Sync + 'static,
{
    #[inline]
    fn apply(&self, record: Record<KI, VI>, out: &dyn Downstream<KO, VO>) -> EdgeResult {
        self(record, out)
    }
}

/// The edge types of a stage, as a zero-sized marker.
type Types<KI, VI, KO, VO> = PhantomData<fn(KI, VI) -> (KO, VO)>;

/// Runs one [`Stage`] as an ordinary processor.
pub struct StageProcessor<S, KI, VI, KO, VO> {
    stage: Arc<S>,
    types: Types<KI, VI, KO, VO>,
}

impl<S, KI, VI, KO, VO> StageProcessor<S, KI, VI, KO, VO> {
    /// A processor running `stage`.
    pub fn new(stage: Arc<S>) -> Self {
        Self {
            stage,
            types: PhantomData,
        }
    }
}

impl<S, KI, VI, KO, VO> Processor<KI, VI, KO, VO> for StageProcessor<S, KI, VI, KO, VO>
where
    S: Stage<KI, VI, KO, VO>,
    KI: 'static,
    VI: 'static,
    KO: Data,
    VO: Data,
{
    #[inline]
    fn process(&mut self, ctx: &mut ProcessorContext<KO, VO>, record: Record<KI, VI>) -> ProcessResult {
        self.stage.apply(record, ctx).map_err(|e| e as crate::error::BoxError)
    }
}

type Link = dyn Fn(Rc<dyn Any>) -> Option<Rc<dyn Any>> + Send + Sync;
type Tail = dyn Fn(&str, Vec<(Arc<str>, Rc<dyn Any>)>) -> Result<Rc<dyn Any>, StreamsError> + Send + Sync;

/// A stage with its key and value types erased, for chaining at build time.
#[derive(Clone)]
pub struct ErasedStage {
    input: TypeSig,
    output: TypeSig,
    /// `Rc<dyn Downstream<KO, VO>>` (in an `Any`) -> `Rc<dyn Downstream<KI, VI>>`.
    link: Arc<Link>,
    /// The node's children -> `Rc<dyn Downstream<KO, VO>>`, for the last stage.
    tail: Arc<Tail>,
}

struct Linked<S, KO, VO> {
    stage: Arc<S>,
    next: Rc<dyn Downstream<KO, VO>>,
}

impl<S, KI, VI, KO, VO> Downstream<KI, VI> for Linked<S, KO, VO>
where
    S: Stage<KI, VI, KO, VO>,
{
    #[inline]
    fn accept(&self, record: Record<KI, VI>) -> EdgeResult {
        self.stage.apply(record, &*self.next)
    }
}

impl ErasedStage {
    /// Erases `stage`'s types.
    pub fn new<KI, VI, KO, VO, S>(stage: S) -> Self
    where
        KI: Data,
        VI: Data,
        KO: Data,
        VO: Data,
        S: Stage<KI, VI, KO, VO>,
    {
        Self::from_shared(Arc::new(stage))
    }

    /// Erases the types of a shared stage.
    pub fn from_shared<KI, VI, KO, VO, S>(stage: Arc<S>) -> Self
    where
        KI: Data,
        VI: Data,
        KO: Data,
        VO: Data,
        S: Stage<KI, VI, KO, VO>,
    {
        let link = move |next: Rc<dyn Any>| -> Option<Rc<dyn Any>> {
            let next = next.downcast_ref::<Rc<dyn Downstream<KO, VO>>>()?.clone();
            let linked: Rc<dyn Downstream<KI, VI>> = Rc::new(Linked {
                stage: Arc::clone(&stage),
                next,
            });
            Some(Rc::new(linked))
        };
        let tail = |node: &str, mut children: Vec<(Arc<str>, Rc<dyn Any>)>| -> Result<Rc<dyn Any>, StreamsError> {
            // One child, by far the usual case: the last stage emits straight
            // into it, one virtual call fewer per record than through a
            // children list.
            if children.len() == 1
                && let Some((name, only)) = children.pop()
            {
                if only.downcast_ref::<Rc<dyn Downstream<KO, VO>>>().is_some() {
                    return Ok(only);
                }
                children.push((name, only));
            }
            let children: Rc<dyn Downstream<KO, VO>> = Rc::new(typed_children::<KO, VO>(node, children)?);
            Ok(Rc::new(children))
        };
        Self {
            input: TypeSig::of::<KI, VI>(),
            output: TypeSig::of::<KO, VO>(),
            link: Arc::new(link),
            tail: Arc::new(tail),
        }
    }

    /// The key and value type names the stage takes.
    pub fn input_types(&self) -> (&'static str, &'static str) {
        (self.input.key_name, self.input.value_name)
    }

    /// The key and value type names the stage emits.
    pub fn output_types(&self) -> (&'static str, &'static str) {
        (self.output.key_name, self.output.value_name)
    }

    pub(crate) fn input(&self) -> TypeSig {
        self.input
    }

    pub(crate) fn output(&self) -> TypeSig {
        self.output
    }
}

impl std::fmt::Debug for ErasedStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErasedStage")
            .field("input", &self.input_types())
            .field("output", &self.output_types())
            .finish()
    }
}

/// The node factory of a stage chain (types checked when it was added).
pub(crate) struct StageChainFactory {
    pub(crate) stages: Vec<ErasedStage>,
}

impl NodeFactory for StageChainFactory {
    fn input(&self) -> Option<TypeSig> {
        self.stages.first().map(ErasedStage::input)
    }

    fn output(&self) -> Option<TypeSig> {
        self.stages.last().map(ErasedStage::output)
    }

    fn instantiate(&self, env: NodeEnv<'_>) -> Result<NodeInstance, StreamsError> {
        let mismatch = || StreamsError::Processing {
            node: env.name.to_string(),
            task: env.shared.task_id,
            source: "stage chain types do not line up".into(),
        };
        let last = self.stages.last().ok_or_else(mismatch)?;
        let mut next = (last.tail)(&env.name, env.children)?;
        for stage in self.stages.iter().rev() {
            next = (stage.link)(next).ok_or_else(mismatch)?;
        }
        Ok(NodeInstance {
            input: Some(next),
            lifecycle: None,
            source: None,
        })
    }
}
