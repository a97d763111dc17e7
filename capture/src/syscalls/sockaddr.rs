//! sockaddr
