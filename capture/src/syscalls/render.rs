//! Showing arguments and return values the way strace prints them.
// TEMPORARY placeholders until the table branch lands (replaced wholesale by it).
use super::{ArgDesc, SyscallDesc};
use crate::event::Arg;
pub enum SockAddr {
    Inet([u8; 4], u16),
    Inet6([u8; 16], u16),
    Unix(Vec<u8>),
    Other(u16),
}
pub fn parse_sockaddr(_b: &[u8]) -> Option<SockAddr> {
    None
}
pub fn strace_args(_d: &SyscallDesc, _a: &[Option<&Arg>], _r: Option<i64>) -> String {
    String::new()
}
pub fn strace_raw_args(_a: &[Arg]) -> String {
    String::new()
}
pub fn strace_ret(_d: Option<&SyscallDesc>, r: i64) -> String {
    r.to_string()
}
pub fn errno_name(_e: i32) -> Option<&'static str> {
    None
}
pub fn signal_name(_e: i32) -> Option<&'static str> {
    None
}
pub fn sysdig_value(_a: &ArgDesc, _v: &Arg) -> String {
    String::new()
}
