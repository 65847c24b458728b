import pandas as pd


def test_event_counts_default_to_zero():
    raw = pd.DataFrame({"customer_id": ["a", "b"], "tenure_months": [3, 5]})
    n_events = pd.Series({"a": 2}, name="n_events").rename_axis("customer_id")
    df = raw.merge(n_events, on="customer_id", how="left").fillna({"n_events": 0})
    assert df["n_events"].tolist() == [2, 0]
