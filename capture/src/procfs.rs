//! The /proc snapshot: threads, their fds, users and groups, as records for the trace's start.
