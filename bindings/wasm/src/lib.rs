//! WebAssembly bindings (in progress).
