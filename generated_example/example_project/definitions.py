"""The code location: the generated Fivetran assets plus this project's own assets."""

import dagster as dg

import fivetran_defs

# A Fivetran table is an ordinary asset key; depend on it like on any other asset.
SALESFORCE_ACCOUNT = dg.AssetKey(["salesforce", "account"])


@dg.asset(deps=[SALESFORCE_ACCOUNT], group_name="analytics", kinds={"python"})
def active_accounts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Accounts with an open opportunity (built after Fivetran syncs salesforce.account)."""
    context.log.info("reading %s", SALESFORCE_ACCOUNT.to_user_string())
    return dg.MaterializeResult(metadata={"source": SALESFORCE_ACCOUNT.to_user_string()})


defs = dg.Definitions.merge(fivetran_defs.defs, dg.Definitions(assets=[active_accounts]))
