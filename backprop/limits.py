"""The network sizes the app builds, in one place: the widgets, the links, the model files and the CSV
reader all take them from here. (The core itself takes any size; these keep the pages drawable.)"""

MAX_IO_WIDTH = 8  # nodes in the input and in the output layer
MAX_HIDDEN_WIDTH = 16  # nodes in a hidden layer
MAX_HIDDEN_LAYERS = 6  # hidden layers
