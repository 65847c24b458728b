"""Joins the churn table with per-customer event counts (dvc stage `prepare`)."""
import pandas as pd
import yaml

REQUIRED = {"customer_id", "tenure_months", "monthly_charges", "n_tickets", "churned"}


def main() -> None:
    with open("params.yaml") as f:
        params = yaml.safe_load(f)["prepare"]
    raw = pd.read_csv("data/raw.csv")
    missing = REQUIRED - set(raw.columns)
    assert not missing, f"data/raw.csv lacks columns {sorted(missing)}"
    events = pd.read_parquet("data/events.parquet", columns=["customer_id", "event"])
    assert events["customer_id"].notna().all(), "events without a customer_id"
    n_events = events.groupby("customer_id").size().rename("n_events")
    df = raw[raw["tenure_months"] >= params["min_tenure_months"]]
    df = df.merge(n_events, on="customer_id", how="left").fillna({"n_events": 0})
    df.to_csv("data/prepared.csv", index=False)


if __name__ == "__main__":
    main()
