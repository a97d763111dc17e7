//! syspect-filter: sysdig's filter language, so that a sysdig user's filters work unchanged:
//! `proc.name=nginx and evt.type in (openat, connect) and not fd.name startswith /proc`.
//!
//! The crate knows no field names. The caller describes its fields through a [`Registry`] and
//! gives their values for each event through [`Fields`]; this crate does the rest:
//!
//! - [`lexer`]: tokens as spans of the source, lexed by context (a value may be `<` or `/proc`).
//! - [`parser`]: the grammar (in its docs) and [`parse()`], giving an [`Expr`].
//! - [`ast`]: the tree with spans; `Display` prints it back as canonical syntax.
//! - [`compile`](mod@compile): [`compile()`] / [`Filter::new`] check fields, operators and
//!   values against the registry and build a [`Filter`].
//! - [`eval`]: [`Filter::matches`], which allocates nothing per event.
//! - [`Filter::constraint`]: the values a field must take, for pushing a filter into the kernel.
//! - [`error`]: [`FilterError`], with [`FilterError::render`] for a caret under the mistake.
//!
//! # Example
//!
//! A tiny registry of three fields over a struct:
//!
//! ```
//! use syspect_filter::{
//!     FieldArg, FieldInfo, FieldRef, FieldType, Fields, Filter, Literal, Registry,
//!     ResolveError, Value,
//! };
//!
//! const PROC_NAME: u32 = 0;
//! const PROC_PID: u32 = 1;
//! const EVT_ARG: u32 = 2;
//!
//! struct MyRegistry;
//!
//! impl Registry for MyRegistry {
//!     fn resolve(&self, name: &str, arg: Option<&FieldArg>) -> Result<FieldInfo, ResolveError> {
//!         let info = match name {
//!             "proc.name" => FieldInfo::new(PROC_NAME, FieldType::Str),
//!             "proc.pid" => FieldInfo::new(PROC_PID, FieldType::Int),
//!             // evt.arg.NAME or evt.arg[N]: an argument is required.
//!             "evt.arg" if arg.is_none() => {
//!                 return Err(ResolveError::BadArgument("it takes a name or an index".into()))
//!             }
//!             "evt.arg" => return Ok(FieldInfo::new(EVT_ARG, FieldType::Str)),
//!             _ => return Err(ResolveError::Unknown),
//!         };
//!         match arg {
//!             None => Ok(info),
//!             Some(_) => Err(ResolveError::BadArgument("it takes no argument".into())),
//!         }
//!     }
//!
//!     fn field_names(&self) -> Vec<&str> {
//!         vec!["proc.name", "proc.pid", "evt.arg"]
//!     }
//! }
//!
//! struct Event {
//!     comm: String,
//!     pid: i64,
//!     args: Vec<(&'static str, String)>,
//! }
//!
//! impl Fields for Event {
//!     fn value(&mut self, field: FieldRef<'_>) -> Option<Value<'_>> {
//!         match (field.id, field.arg) {
//!             (PROC_NAME, _) => Some(Value::str(&self.comm)),
//!             (PROC_PID, _) => Some(Value::Int(self.pid)),
//!             (EVT_ARG, Some(FieldArg::Key(k))) => self
//!                 .args
//!                 .iter()
//!                 .find(|(name, _)| *name == &**k)
//!                 .map(|(_, v)| Value::str(v)),
//!             (EVT_ARG, Some(FieldArg::Index(i))) => {
//!                 self.args.get(*i as usize).map(|(_, v)| Value::str(v))
//!             }
//!             _ => None,
//!         }
//!     }
//! }
//!
//! let filter = Filter::new(
//!     "proc.name in (nginx, httpd) and evt.arg.name startswith /etc and not proc.pid < 100",
//!     &MyRegistry,
//! )?;
//! let mut event = Event {
//!     comm: "nginx".into(),
//!     pid: 4242,
//!     args: vec![("dirfd", "AT_FDCWD".into()), ("name", "/etc/hosts".into())],
//! };
//! assert!(filter.matches(&mut event));
//! event.pid = 1;
//! assert!(!filter.matches(&mut event));
//!
//! // What the capture side can push down: proc.name is one of two names.
//! assert_eq!(
//!     filter.constraint(PROC_NAME),
//!     Some(vec![Literal::Str("httpd".into()), Literal::Str("nginx".into())])
//! );
//!
//! // Mistakes are reported with the place and a suggestion.
//! let source = "proc.nmae = bash";
//! let err = Filter::new(source, &MyRegistry).unwrap_err();
//! assert_eq!(
//!     err.render(source),
//!     "filter error: unknown field `proc.nmae`, did you mean `proc.name`?\n  \
//!      proc.nmae = bash\n  \
//!      ^^^^^^^^^"
//! );
//! # Ok::<(), syspect_filter::FilterError>(())
//! ```

pub mod ast;
pub mod compile;
pub mod error;
pub mod eval;
#[cfg(test)]
mod eval_tests;
mod glob;
pub mod lexer;
pub mod parser;
mod pushdown;
pub mod registry;
mod suggest;

pub use ast::{Expr, Op, Span};
pub use compile::{compile, Filter, Literal};
pub use error::FilterError;
pub use eval::{FieldRef, Fields, Value};
pub use parser::parse;
pub use registry::{FieldArg, FieldId, FieldInfo, FieldType, OpSet, Registry, ResolveError};
pub use suggest::closest as did_you_mean;
