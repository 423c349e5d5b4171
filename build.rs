//! Links the `lambdastat` binary at a fixed address (not position-independent) on Linux: its
//! dependencies (polars, arrow, rustls) leave about 58,000 pointers that a position-independent
//! executable has the loader fix up at every start, each page of them then a private copy. Linked
//! at a fixed address they are resolved once, by the linker: `lambdastat --version` went from 15 ms
//! and 595 page faults to 7 ms and 220 (docs/performance.md, "Start-up"), about 8 ms off every run.
//! The price is that the program's own code is not at a random address (the libraries, the heap
//! and the stack still are). `LAMBDASTAT_PIE=1` at build time keeps the position-independent build.

fn main() {
    println!("cargo:rerun-if-env-changed=LAMBDASTAT_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let pie = std::env::var_os("LAMBDASTAT_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if linux && !pie {
        println!("cargo:rustc-link-arg-bin=lambdastat=-no-pie");
    }
}
