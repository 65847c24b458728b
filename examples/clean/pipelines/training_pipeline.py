"""Azure ML pipeline that retrains the churn model, and registers it only when it is good enough."""
from azure.ai.ml import load_component
from azure.ai.ml.dsl import pipeline

validate_data = load_component(source="components/validate_data.yml")
prep = load_component(source="components/prep.yml")
train = load_component(source="components/train.yml")
evaluate = load_component(source="components/evaluate.yml")
register_model = load_component(source="components/register.yml")


@pipeline(display_name="churn-training", default_compute="cpu-cluster")
def churn_training(raw_data, n_estimators: int = 300, min_auc: float = 0.8):
    checked = validate_data(data=raw_data, expectations="expectations/churn.json")
    prepared = prep(raw_data=checked.outputs.validated_data)
    trained = train(training_data=prepared.outputs.train_data, n_estimators=n_estimators)
    evaluation = evaluate(model=trained.outputs.model, test_data=prepared.outputs.test_data, min_auc=min_auc)
    register_model(model=trained.outputs.model, model_name="churn-rf", evaluation=evaluation.outputs.verdict)
