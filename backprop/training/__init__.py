"""Training on small datasets, for the Train page: the data, the descent and the model files.

- `datasets`: seeded generators and a user's CSV file, checked strictly;
- `descent`: mini-batch gradient descent over a dataset, epoch by epoch, with a history;
- `model_io`: a trained network with its settings as JSON, and the checked way back.

NumPy only, built on the core's batch gradients (`backprop.passes`).
"""
