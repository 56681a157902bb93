"""Stage 5: the complete new output in memory (kept user bodies, the manifest), then written
atomically or checked against the disk."""
