"""Azure ML pipeline that retrains the churn model and registers it."""
from azure.ai.ml import load_component
from azure.ai.ml.dsl import pipeline

prep = load_component(source="components/prep.yml")
train = load_component(source="components/train.yml")
register_model = load_component(source="components/register.yml")


@pipeline(display_name="churn-training", default_compute="cpu-cluster")
def churn_training(raw_data, n_estimators: int = 300):
    prepared = prep(raw_data=raw_data)
    trained = train(training_data=prepared.outputs.prepared_data, n_estimators=n_estimators)
    register_model(model=trained.outputs.model, model_name="churn-rf")
