//! Fuzz the filter lexer and parser: no input may panic, every error must render, and a filter
//! that parses must print as text that parses back to the same tree.
//!
//! `cargo +nightly fuzz run parse_filter`

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let _ = syspect_filter::lexer::tokenize(source);
    match syspect_filter::parse(source) {
        Ok(expr) => {
            let printed = expr.to_string();
            let again = match syspect_filter::parse(&printed) {
                Ok(again) => again,
                Err(e) => panic!("{source:?} printed as {printed:?}, which fails: {e}"),
            };
            assert!(
                expr.eq_ignoring_spans(&again),
                "{source:?} printed as {printed:?}, which parses differently"
            );
            assert_eq!(again.to_string(), printed);
        }
        Err(e) => {
            let _ = e.render(source);
        }
    }
});
