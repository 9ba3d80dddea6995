//! Reading and (with OPENDRAW_BLESS=1) writing the test vectors in
//! tests/vectors/.

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

pub fn vector_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors").join(name)
}

/// Reads a vector file as it is.
pub fn read(name: &str) -> Value {
    let path = vector_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Reads a vector file, or writes it from `make` first when blessing.
pub fn load(name: &str, make: impl FnOnce() -> Value) -> Value {
    let path = vector_path(name);
    if std::env::var_os("OPENDRAW_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&make()).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    read(name)
}

pub fn hex32(value: &Value) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(value.as_str().unwrap(), &mut out).unwrap();
    out
}

pub fn text(value: &Value) -> &str {
    value.as_str().expect("a string")
}
