//! Faults on TCP streams: the case-file vocabulary and the pure shaper that applies it.

pub mod faults;
pub mod shaper;

pub use faults::{Coalesce, Cut, Slice, Stall, StreamFaults, StreamSides};
pub use shaper::{Action, StreamShaper};
