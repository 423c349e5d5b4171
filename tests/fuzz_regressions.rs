//! Every input a fuzz target (`fuzz/`) crashed on, kept in
//! `tests/fuzz-regressions/TARGET/` and run through the same entry point.

use lambdastat::fuzzing::TARGETS;
use std::path::Path;

#[test]
fn fuzz_crashes_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut ran = 0;
    for &(name, target) in TARGETS {
        let Ok(dir) = std::fs::read_dir(root.join(name)) else { continue };
        for entry in dir {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            eprintln!("{}", path.display());
            target(&data);
            ran += 1;
        }
    }
    assert!(ran > 0, "no regression inputs under {}", root.display());
}
