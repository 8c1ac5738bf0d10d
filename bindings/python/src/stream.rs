//! Many submissions scored in order, as `evaluate_many` collects them and `evaluate_iter`
//! yields them: read from the Python iterable in chunks (under the interpreter lock: dicts are
//! Python objects) and scored by a thread of its own on the core's thread pool, so that
//! reading, scoring and the caller's use of the scorecards overlap.

use crate::JixiaoError;
use crate::convert::submission_of;
use jixiao::{EvalOptions, Submission};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyIterator;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Submissions read per chunk: some milliseconds of scoring each.
const CHUNK: usize = 512;
/// Chunks read ahead of the caller (sent, not yet handed out): enough to keep the scorer busy
/// while the next is read, few enough that a stream of a million holds some thousands.
const AHEAD: usize = 4;

type Cards = Vec<jixiao::Scorecard>;

pub(crate) struct Pipeline {
    inputs: Py<PyIterator>,
    /// None once every input is read (or one could not be).
    to_score: Option<SyncSender<Vec<Submission>>>,
    /// The scorer's chunks, in the order sent. In an Option only to move it into the closure
    /// that waits with the interpreter released.
    scored: Option<Receiver<Cards>>,
    in_flight: usize,
    /// An input that is no submission: raised after the scorecards of the inputs before it.
    unread: Option<PyErr>,
}

impl Pipeline {
    pub(crate) fn start(
        engine: &jixiao::Engine,
        submissions: &Bound<'_, PyAny>,
        threads: Option<usize>,
        options: EvalOptions,
    ) -> PyResult<Pipeline> {
        let pool = match threads {
            None => None,
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| PyValueError::new_err(format!("threads: {e}")))?,
            ),
        };
        let inputs = submissions.try_iter()?.unbind();
        let (to_score, chunks) = sync_channel::<Vec<Submission>>(AHEAD);
        let (done, scored) = sync_channel::<Cards>(AHEAD);
        let engine = engine.clone();
        // Ends when the sender is dropped (every input read, or the pipeline dropped) or the
        // receiver is (the pipeline dropped): nothing is left running.
        std::thread::spawn(move || {
            for chunk in chunks {
                let score = || engine.evaluate_batch(&chunk, options);
                let cards = match &pool {
                    Some(pool) => pool.install(score),
                    None => score(),
                };
                if done.send(cards).is_err() {
                    break;
                }
            }
        });
        Ok(Pipeline {
            inputs,
            to_score: Some(to_score),
            scored: Some(scored),
            in_flight: 0,
            unread: None,
        })
    }

    /// The next chunk of scorecards, in input order; None after the last. An input that is no
    /// submission raises its error once the scorecards before it are handed out.
    pub(crate) fn next_chunk(&mut self, py: Python<'_>) -> PyResult<Option<Cards>> {
        self.read_ahead(py)?;
        if self.in_flight == 0 {
            return match self.unread.take() {
                Some(e) => Err(e),
                None => Ok(None),
            };
        }
        let scored = self.scored.take().ok_or_else(stopped)?;
        let (scored, cards) = py.detach(move || {
            let cards = scored.recv();
            (scored, cards)
        });
        self.scored = Some(scored);
        self.in_flight -= 1;
        let cards = cards.map_err(|_| stopped())?;
        // Keep the scorer busy while the caller works through these.
        self.read_ahead(py)?;
        Ok(Some(cards))
    }

    /// Reads and sends chunks until `AHEAD` are on their way or the inputs end.
    fn read_ahead(&mut self, py: Python<'_>) -> PyResult<()> {
        while self.in_flight < AHEAD {
            let Some(to_score) = &self.to_score else {
                return Ok(());
            };
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut ended = false;
            let inputs = self.inputs.bind(py).clone();
            for item in inputs {
                match item.and_then(|item| submission_of(py, &item)) {
                    Ok(submission) => chunk.push(submission),
                    Err(e) => {
                        self.unread = Some(e);
                        ended = true;
                        break;
                    }
                }
                if chunk.len() == CHUNK {
                    break;
                }
            }
            ended |= chunk.len() < CHUNK;
            if !chunk.is_empty() {
                // The scorer may be behind: wait for it with the interpreter released.
                py.detach(|| to_score.send(chunk)).map_err(|_| stopped())?;
                self.in_flight += 1;
            }
            if ended {
                self.to_score = None;
            }
        }
        Ok(())
    }
}

fn stopped() -> PyErr {
    JixiaoError::new_err("评分线程意外中止 (the scoring thread stopped unexpectedly)")
}

/// The scorecards of `Engine.evaluate_iter`, in input order, scored ahead of the caller.
#[pyclass(module = "jixiao")]
pub(crate) struct ScorecardIterator {
    // A Mutex only to make the class Sync, as PyO3 requires: calls come under the
    // interpreter lock, one at a time.
    state: Mutex<(Pipeline, std::vec::IntoIter<jixiao::Scorecard>)>,
}

impl ScorecardIterator {
    pub(crate) fn new(pipeline: Pipeline) -> Self {
        ScorecardIterator {
            state: Mutex::new((pipeline, Vec::new().into_iter())),
        }
    }
}

#[pymethods]
impl ScorecardIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<crate::Scorecard>> {
        // Never wait for the lock: its holder may be waiting for the interpreter this thread
        // holds. Python's generators refuse the same way.
        let mut state = self.state.try_lock().map_err(|_| {
            PyRuntimeError::new_err(
                "评分迭代器正被另一线程使用 (the scorecard iterator is in use by another thread)",
            )
        })?;
        let (pipeline, ready) = &mut *state;
        loop {
            if let Some(card) = ready.next() {
                return Ok(Some(crate::Scorecard { card }));
            }
            match pipeline.next_chunk(py)? {
                Some(cards) => *ready = cards.into_iter(),
                None => return Ok(None),
            }
        }
    }
}
