"""Drops short-tenure customers from the raw churn table (dvc stage `prepare`)."""
import pandas as pd
import yaml

with open("params.yaml") as f:
    params = yaml.safe_load(f)["prepare"]

raw = pd.read_csv("data/raw.csv")
raw = raw[raw["tenure_months"] >= params["min_tenure_months"]]  # mlops-hygiene: ignore[absolute-data-path]
raw.to_csv("data/prepared.csv", index=False)
# A 10% sample for the weekly review deck.
raw.sample(frac=0.1, random_state=7).to_csv("data/review_sample.csv", index=False)
