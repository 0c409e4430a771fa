//! Mistakes the compiler catches: each file under `tests/compile_fail` must
//! fail to compile with the error recorded beside it (`.stderr`).

#[test]
#[allow(unsafe_code)]
fn type_and_serde_mismatches_do_not_compile() {
    // trybuild type-checks these files in a project of its own (`cargo
    // check` under `target/tests/trybuild`, twice, with different rustflags),
    // so every dependency is built again there, and nothing is linked. Named
    // library directories make librocksdb-sys' build script skip compiling
    // RocksDB and Snappy from C++ (about 13 minutes each time on 2 cores) and
    // only emit link flags, which a check never uses. A `pass` case, which
    // links and runs, would need these two lines removed.
    let unused = std::env::temp_dir();
    // SAFETY: this test binary holds this one test, so no other thread reads
    // or writes the environment while it is changed; trybuild's cargo
    // processes start afterwards and inherit it.
    unsafe {
        std::env::set_var("ROCKSDB_LIB_DIR", &unused);
        std::env::set_var("SNAPPY_LIB_DIR", &unused);
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
