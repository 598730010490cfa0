"""The lesson: what the step-through page and its companions teach, built on the core's numbers.

- `timeline`: one forward-backward iteration as a fixed sequence of steps, a pure function of L;
- `progress`: a lesson in progress (`Lesson`): the network, the sample and the current step;
- `presets`: ready-made lessons (the worked 2-2-2 example, the XOR net, the deep narrow net, …);
- `equations`: the lecture's equations as LaTeX with the numbers substituted, so that they add up as printed;
- `matrix_form`: one layer's backward pass in matrix form, beside one entry of it in index form;
- `quiz`: predict, then reveal;
- `worksheet`: the worked sheet of one iteration, to print or download;
- `costs_of_gradients`: why backprop matters, its cost against finite differences.

NumPy only, like the core it reads (`explain` gives every number an equation shows).
"""
