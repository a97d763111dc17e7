//! Showing arguments and return values the way strace prints them.
