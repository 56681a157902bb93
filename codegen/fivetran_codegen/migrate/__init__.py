"""`fivetran-codegen migrate`: rewrite a dagster-fivetran project to the generated package.

A libcst codemod, so code it does not touch keeps its formatting and comments. `run.plan`
computes every change (user files and generated connection modules) without writing;
`run.apply` writes them. `transform` rewrites one module, `body` moves a custom asset body
into the generated function of its connection, `report` says what needs a human.
"""
