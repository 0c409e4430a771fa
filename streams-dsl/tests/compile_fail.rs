//! Mistakes the compiler catches: each file under `tests/compile_fail` must
//! fail to compile with the error recorded beside it (`.stderr`).

#[test]
fn type_and_serde_mismatches_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
