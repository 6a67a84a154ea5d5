"""The Tiny networks tab: train a small network on a 2-D data set and watch its boundary."""
