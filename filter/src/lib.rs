//! syspect-filter: sysdig's filter language.
