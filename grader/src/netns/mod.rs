//! Private network namespaces, for programs that hard-code their addresses.
//!
//! `--mode transparent` runs the client and the server each in a [`NetNamespace`] of its
//! own, with its own loopback, and the relay bridges the two; `--mode tc` runs both in one
//! namespace with the kernel's [`netem`] on its loopback. Which addresses a program has
//! bound is read from its namespace's [`socket_table`]; [`privileges`] gets the right to
//! make namespaces at all, before the grader starts threads, and [`obstacles`] says what
//! keeps them off where they are.

pub mod error;
pub mod namespace;
pub mod netem;
pub mod obstacles;
pub mod privileges;
pub mod socket_table;

pub use error::NamespaceError;
pub use namespace::NetNamespace;
pub use privileges::{NamespacePrivilege, prepare_namespaces};
