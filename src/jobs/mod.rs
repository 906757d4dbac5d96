//! Background work: the scheduler and its leader lock, the poll cycle, the
//! publisher of channel messages, and rebuilding the published snapshot.

pub mod rebuild;
