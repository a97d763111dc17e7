//! syspect-inspect: event sources, state, fields, output formats and analyzers.
