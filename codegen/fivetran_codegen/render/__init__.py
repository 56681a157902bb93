"""Stage 4: RenderPlan -> Python source (jinja2 templates, the literal emitter), and the one owner
of the generated-file format."""
