"""Week 1 · Counting the parameters of a fully connected network.

In a fully connected network each neuron of a layer is connected to every neuron of the
layer before it (one weight per connection) and has one bias. The XOR network of the
notes, with 2 inputs, 2 hidden neurons and 1 output (sizes ``[2, 2, 1]``), has
``2*2 + 2 + 2*1 + 1 = 9`` parameters; ``[8, 4, 2]`` has 46 and ``[16, 4, 2, 1]`` has 81.

Your task: write ``count_dense_parameters(sizes)``:

- ``sizes`` is a list or tuple of layer sizes, the input layer first;
- return the number of weights and biases as a Python ``int``;
- raise ``ValueError`` for fewer than two sizes, or when a size is below 1.

Check your work with ``grader check count_dense_parameters``.
"""


def count_dense_parameters(sizes):
    # TODO: first decide which lists of sizes describe no network, and refuse them. Then look at one
    # pair of neighbouring layers at a time: how many connections join them, and how many biases
    # does the second layer bring? (Course notes, week 1: the XOR network; week 3: counting
    # parameters.)
    raise NotImplementedError("count_dense_parameters is not written yet")
