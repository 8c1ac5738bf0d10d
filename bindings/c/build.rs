//! The shared library's SONAME: `libjixiao.so.0.MINOR` while the version is 0.x (each minor
//! release may change the ABI), `libjixiao.so.MAJOR` from 1.0. Programs record it when they
//! link, so a library of another ABI is never loaded in its place. `bindings/c/build.sh` lays
//! out the versioned file names and symlinks that go with it.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let soname = if major == "0" {
        format!("libjixiao.so.0.{minor}")
    } else {
        format!("libjixiao.so.{major}")
    };
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
