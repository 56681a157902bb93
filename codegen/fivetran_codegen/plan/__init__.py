"""Stage 3: snapshot + config -> RenderPlan, where every name is decided once and collisions are found."""
