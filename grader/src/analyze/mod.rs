//! How reports name times, datagrams, payloads and points (see [`describe`]).

pub mod describe;
