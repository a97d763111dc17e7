//! The trace file (`.spt`): header, independent zstd frames of rmp-serde records, footer index.
