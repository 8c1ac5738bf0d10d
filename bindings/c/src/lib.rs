//! C ABI bindings (in progress).
