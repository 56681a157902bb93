"""dagster-fivetran's two customisation examples, and a little of every other field."""

import dagster as dg
from fivetran_codegen.translator import DagsterFivetranTranslator, FivetranConnectorTableProps


class GoldenTranslator(DagsterFivetranTranslator):
    def get_asset_spec(self, props: FivetranConnectorTableProps) -> dg.AssetSpec:
        spec = super().get_asset_spec(props)
        spec = spec.replace_attributes(
            key=spec.key.with_prefix("prefix"),
            deps=["my_upstream_asset_key"],
            owners=["team:data"],
            code_version="1",
            automation_condition=dg.AutomationCondition.on_cron("0 6 * * *")
            & ~dg.AutomationCondition.in_progress(),
        ).merge_attributes(
            metadata={
                "custom": "metadata",
                "runbook": dg.MetadataValue.url(
                    "https://runbooks.example.com/" + props.connector_id
                ),
                "primary_keys": [
                    c.name_in_destination for c in props.columns or () if c.is_primary_key
                ],
            },
            kinds={props.connection_service} if props.connection_service == "salesforce" else set(),
        )
        if props.connection_service == "postgres":
            spec = spec.replace_attributes(
                partitions_def=dg.StaticPartitionsDefinition(["eu", "us"])
            )
        return spec
