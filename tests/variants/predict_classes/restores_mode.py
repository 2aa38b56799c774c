import torch


def predict_classes(model, X):
    """Eval mode for the prediction, then the model's own mode restored; keepdim then squeeze(1)."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            classes = torch.argmax(model(X), dim=1, keepdim=True)
    finally:
        model.train(was_training)
    return classes.squeeze(1)
