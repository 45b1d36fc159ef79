"""Cross-cutting plumbing: settings and the one Temporal client factory."""
