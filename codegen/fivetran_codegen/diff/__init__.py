"""What changed between two snapshots, for Dagster: compared, then reported as text, markdown or JSON."""
